//! Mints and token accounts for the tests of programs that hold tokens
//! (amm, lending): a fixture implements [`TokenFixture::parts`] and gets
//! `create_mint` and `token_account`. Included by path
//! (`#[path = "../../token/tests/support/token_fixture.rs"]`), so no crate
//! links it.

use lanes_runtime::harness::Harness;
use lanes_sdk::client::Keypair;
use lanes_sdk::Pubkey;
use lanes_token::instruction as token_ix;

/// A test fixture with a harness, a fee payer and a mint authority.
pub trait TokenFixture {
    /// The harness, the payer of every transaction, and the authority of
    /// every mint the fixture creates.
    fn parts(&mut self) -> (&mut Harness, &Keypair, &Keypair);

    /// A new mint with `decimals` (no freeze authority).
    #[track_caller]
    fn create_mint_with_decimals(&mut self, decimals: u8) -> Pubkey {
        let (h, payer, authority) = self.parts();
        let mint = Keypair::new();
        let ixs = token_ix::create_mint(
            &lanes_token::ID,
            &payer.pubkey(),
            &mint.pubkey(),
            &authority.pubkey(),
            None,
            decimals,
        );
        h.expect_ok(&ixs, payer, &[&mint]);
        mint.pubkey()
    }

    /// A new mint with 6 decimals.
    #[track_caller]
    fn create_mint(&mut self) -> Pubkey {
        self.create_mint_with_decimals(6)
    }

    /// A new token account of `mint` held by `owner`, with `amount` minted
    /// into it.
    #[track_caller]
    fn token_account(&mut self, mint: &Pubkey, owner: &Pubkey, amount: u64) -> Pubkey {
        let (h, payer, authority) = self.parts();
        let account = Keypair::new();
        let mut ixs =
            token_ix::create_account(&lanes_token::ID, &payer.pubkey(), &account.pubkey(), mint, owner).to_vec();
        if amount > 0 {
            ixs.push(token_ix::mint_to(&lanes_token::ID, mint, &account.pubkey(), &authority.pubkey(), amount));
        }
        let signers: &[&Keypair] = if amount > 0 { &[&account, authority] } else { &[&account] };
        h.expect_ok(&ixs, payer, signers);
        account.pubkey()
    }
}
