//! `lanesDecodeAccount`: an account as the explorer shows it — its
//! lamports, owner and flags, and its data decoded with the bundled
//! programs' own state types (`lanes-token`'s mint and token account,
//! `lanes-amm`'s pool, `lanes-lending`'s market, reserve, price feed and
//! obligation) and the loader's header for programs and buffers.
//!
//! Never: guess. Data is decoded only when its owner is the program whose
//! type it is and the type's own strict decoder accepts it; anything else
//! is `decoded: null` and the page shows the hex alone.

use crate::node::rpc::{invalid_params, RpcError};
use crate::node::Node;
use lanes_sdk::loader::{self, LoaderState, STATE_HEADER_LEN};
use lanes_sdk::{Account, Pubkey};
use serde_json::{json, Value};
use std::str::FromStr;

/// `lanesDecodeAccount [address]`: `{context, value}` where value is
/// `null` for an account that does not exist.
pub(super) fn decode_account(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let text = params.first().and_then(Value::as_str).ok_or_else(|| invalid_params("Invalid params"))?;
    let key = Pubkey::from_str(text).map_err(|_| invalid_params("Invalid param: Invalid"))?;
    let (slot, account) = {
        let bank = node.bank.read();
        (bank.slot(), bank.get_account(&key))
    };
    let value = match account {
        None => Value::Null,
        Some(account) => {
            let (program, kind, decoded) = match decode(&account) {
                Some((program, kind, decoded)) => (json!(program), json!(kind), decoded),
                None => (Value::Null, Value::Null, Value::Null),
            };
            json!({
                "address": key.to_string(),
                "lamports": account.lamports,
                "owner": account.owner.to_string(),
                "executable": account.executable,
                "space": account.data.len(),
                "program": program,
                "type": kind,
                "decoded": decoded,
            })
        }
    };
    Ok(json!({ "context": { "slot": slot }, "value": value }))
}

fn key(key: &Pubkey) -> Value {
    json!(key.to_string())
}

fn option_key(key: &Option<Pubkey>) -> Value {
    key.as_ref().map_or(Value::Null, |k| json!(k.to_string()))
}

/// `(program name, type name, fields)` for data the owner's own types decode.
pub(super) fn decode(account: &Account) -> Option<(&'static str, &'static str, Value)> {
    let data = account.data.as_slice();
    let owner = &account.owner;
    if *owner == lanes_token::ID {
        use lanes_token::state::{AccountState, Mint, Pack, TokenAccount};
        if let Ok(mint) = Mint::unpack_unchecked(data) {
            return Some((
                "token",
                "mint",
                json!({
                    "supply": mint.supply,
                    "decimals": mint.decimals,
                    "isInitialized": mint.is_initialized,
                    "mintAuthority": option_key(&mint.mint_authority),
                    "freezeAuthority": option_key(&mint.freeze_authority),
                }),
            ));
        }
        if let Ok(account) = TokenAccount::unpack_unchecked(data) {
            let state = match account.state {
                AccountState::Uninitialized => "uninitialized",
                AccountState::Initialized => "initialized",
                AccountState::Frozen => "frozen",
            };
            return Some((
                "token",
                "tokenAccount",
                json!({
                    "mint": key(&account.mint),
                    "owner": key(&account.owner),
                    "amount": account.amount,
                    "state": state,
                    "delegate": option_key(&account.delegate),
                    "delegatedAmount": account.delegated_amount,
                    "closeAuthority": option_key(&account.close_authority),
                }),
            ));
        }
        return None;
    }
    if *owner == lanes_amm::ID {
        use lanes_amm::state::{Pack, Pool};
        let pool = Pool::unpack_unchecked(data).ok()?;
        return Some((
            "amm",
            "pool",
            json!({
                "isInitialized": pool.is_initialized,
                "bump": pool.bump,
                "feeBps": pool.fee_bps,
                "mintA": key(&pool.mint_a),
                "mintB": key(&pool.mint_b),
                "vaultA": key(&pool.vault_a),
                "vaultB": key(&pool.vault_b),
                "lpMint": key(&pool.lp_mint),
                "reserveA": pool.reserve_a,
                "reserveB": pool.reserve_b,
                "lpSupply": pool.lp_supply,
            }),
        ));
    }
    if *owner == lanes_lending::ID {
        return decode_lending(data);
    }
    if *owner == loader::ID {
        let kind_and_fields = match LoaderState::read(data)? {
            LoaderState::Uninitialized => ("uninitialized", json!({})),
            LoaderState::Buffer { authority } => (
                "buffer",
                json!({ "authority": key(&authority), "codeLen": data.len().saturating_sub(STATE_HEADER_LEN) }),
            ),
            LoaderState::Program { authority, code_hash, deployed_slot, code_len } => (
                "program",
                json!({
                    "authority": option_key(&authority),
                    "codeHash": code_hash.to_string(),
                    "deployedSlot": deployed_slot,
                    "codeLen": code_len,
                }),
            ),
            LoaderState::Closed => ("closed", json!({})),
        };
        return Some(("loader", kind_and_fields.0, kind_and_fields.1));
    }
    None
}

fn decode_lending(data: &[u8]) -> Option<(&'static str, &'static str, Value)> {
    use lanes_lending::state::{Market, Obligation, Pack, PriceFeed, Reserve};
    match data.first()? {
        1 => {
            let market = Market::unpack(data).ok()?;
            Some(("lending", "market", json!({ "admin": key(&market.admin), "oracle": key(&market.oracle) })))
        }
        2 => {
            let r = Reserve::unpack(data).ok()?;
            Some((
                "lending",
                "reserve",
                json!({
                    "market": key(&r.market),
                    "mint": key(&r.mint),
                    "vault": key(&r.vault),
                    "shareMint": key(&r.share_mint),
                    "collateralVault": key(&r.collateral_vault),
                    "priceFeed": key(&r.price_feed),
                    "collateralFactorBps": r.collateral_factor_bps,
                    "liquidationBonusBps": r.liquidation_bonus_bps,
                    "reserveFactorBps": r.reserve_factor_bps,
                    "baseRatePerSlot": r.base_rate_per_slot,
                    "slopePerSlot": r.slope_per_slot,
                    "lastUpdateSlot": r.last_update_slot,
                    "borrowIndex": r.borrow_index,
                    "cash": r.cash,
                    "borrowedScaled": r.borrowed_scaled,
                    "protocolReserves": r.protocol_reserves,
                    "shareSupply": r.share_supply,
                    "bump": r.bump,
                }),
            ))
        }
        3 => {
            let o = Obligation::unpack(data).ok()?;
            let positions: Vec<Value> = o
                .active()
                .map(|p| {
                    json!({
                        "reserve": key(&p.reserve),
                        "collateralShares": p.collateral_shares,
                        "borrowedScaled": p.borrowed_scaled,
                    })
                })
                .collect();
            Some((
                "lending",
                "obligation",
                json!({ "market": key(&o.market), "owner": key(&o.owner), "bump": o.bump, "positions": positions }),
            ))
        }
        4 => {
            let feed = PriceFeed::unpack(data).ok()?;
            Some((
                "lending",
                "priceFeed",
                json!({ "reserve": key(&feed.reserve), "price": feed.price, "lastUpdateSlot": feed.last_update_slot }),
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_token::state::{AccountState, Mint, Pack as _, TokenAccount};

    fn owned(owner: Pubkey, data: Vec<u8>) -> Account {
        Account { lamports: 1, data, owner, executable: false }
    }

    #[test]
    fn token_mint_and_account_decode_with_their_fields() {
        let authority = Pubkey::new_unique_from_u64(1);
        let mint = Mint {
            supply: 42,
            decimals: 6,
            is_initialized: true,
            mint_authority: Some(authority),
            freeze_authority: None,
        };
        let (program, kind, fields) = decode(&owned(lanes_token::ID, mint.to_bytes())).unwrap();
        assert_eq!((program, kind), ("token", "mint"));
        assert_eq!(fields["supply"], 42);
        assert_eq!(fields["mintAuthority"], authority.to_string());
        assert_eq!(fields["freezeAuthority"], Value::Null);

        let account = TokenAccount {
            mint: Pubkey::new_unique_from_u64(2),
            owner: authority,
            amount: 7,
            state: AccountState::Initialized,
            ..TokenAccount::default()
        };
        let (_, kind, fields) = decode(&owned(lanes_token::ID, account.to_bytes())).unwrap();
        assert_eq!(kind, "tokenAccount");
        assert_eq!(fields["amount"], 7);
        assert_eq!(fields["state"], "initialized");
        assert_eq!(fields["owner"], authority.to_string());
    }

    #[test]
    fn data_of_another_owner_or_shape_is_not_decoded() {
        let mint = Mint { is_initialized: true, ..Mint::default() }.to_bytes();
        assert!(decode(&owned(Pubkey::new_unique_from_u64(9), mint)).is_none());
        assert!(decode(&owned(lanes_token::ID, vec![1, 2, 3])).is_none());
        assert!(decode(&owned(lanes_lending::ID, vec![3; 5])).is_none());
        assert!(decode(&owned(lanes_amm::ID, vec![])).is_none());
    }

    #[test]
    fn a_program_account_shows_its_loader_header() {
        let account = lanes_runtime::execution::builtins::loader::immutable_program_account(b"\0asm", 5);
        let (program, kind, fields) = decode(&account).unwrap();
        assert_eq!((program, kind), ("loader", "program"));
        assert_eq!(fields["deployedSlot"], 5);
        assert_eq!(fields["authority"], Value::Null);
        assert_eq!(fields["codeLen"], 4);
    }
}
