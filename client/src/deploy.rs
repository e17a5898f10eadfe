//! Many transactions at once ([`RpcClient::send_and_confirm_many`]: all in
//! flight as JSON-RPC batches, then confirmed together, the ones that did
//! not land sent again at a fresh blockhash) and, on top of it, deploying,
//! upgrading and closing WASM programs through Lanes' loader
//! (`lanes_sdk::loader`): a buffer created and initialized, the code
//! written into it in [`loader::WRITE_CHUNK_LEN`]-byte chunks in
//! parallel, then `Deploy` (or `Upgrade`) in one last transaction.
//!
//! Never: send a program that is not a WASM module, upgrade a program
//! whose authority is not the signer (refused before anything is spent),
//! leave a funded buffer behind when it can close it, or retry without a
//! bound (a fixed number of rounds, each bounded in time).

use crate::error::{ClientError, NODE_BUSY};
use crate::rpc::{send_params, sign, RpcClient};
use crate::types::{parse_signature, SignatureStatus};
use lanes_sdk::client::Keypair;
use lanes_sdk::loader::{self, LoaderState, MAX_PROGRAM_LEN, STATE_HEADER_LEN};
use lanes_sdk::{compute_budget, system_instruction, Instruction, Pubkey, Signature};
use std::time::{Duration, Instant};

/// How many times [`RpcClient::send_and_confirm_many`] sends what has not landed.
pub const MAX_SEND_ROUNDS: usize = 5;
/// Transactions in one JSON-RPC batch.
pub const SEND_BATCH: usize = 100;
/// A round ends once nothing new has landed for this long.
pub const ROUND_QUIET: Duration = Duration::from_secs(5);
/// The compute units asked for a deploy (compiling costs units per byte).
pub const DEPLOY_COMPUTE_UNITS: u32 = 1_400_000;

/// What [`RpcClient::deploy_program`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    pub program_id: Pubkey,
    /// The `Deploy` or `Upgrade` transaction.
    pub signature: Signature,
    /// Whether an existing program was upgraded.
    pub upgraded: bool,
    /// The buffer the code went through (closed by the deploy).
    pub buffer: Pubkey,
}

/// Whether `code` is a WASM module Lanes' loader could take: the magic
/// and version 1 header, and at most [`MAX_PROGRAM_LEN`] bytes.
pub fn check_wasm(code: &[u8]) -> Result<(), ClientError> {
    if code.len() < 8 || &code[..4] != b"\0asm" {
        return Err(ClientError::InvalidProgram("not a WASM module (it does not start with \\0asm)".into()));
    }
    if code[4..8] != [1, 0, 0, 0] {
        return Err(ClientError::InvalidProgram("a WASM module of an unsupported version (not 1)".into()));
    }
    if code.len() > MAX_PROGRAM_LEN {
        return Err(ClientError::InvalidProgram(format!(
            "{} bytes of WASM is over the largest program ({MAX_PROGRAM_LEN} bytes)",
            code.len()
        )));
    }
    Ok(())
}

impl RpcClient {
    /// Send one transaction per instruction list, each paid by `payer` and
    /// signed by it and `signers`, all in flight at once, and wait until
    /// every one has landed at the client's commitment. What has not landed
    /// once nothing new lands for [`ROUND_QUIET`] is signed again at a fresh
    /// blockhash and sent again, up to [`MAX_SEND_ROUNDS`] times, so the
    /// transactions must be safe to land twice (as loader writes are).
    /// `progress(landed, total)` is called as they land. Any that fails
    /// stops it with [`ClientError::TransactionFailed`].
    pub fn send_and_confirm_many(
        &self,
        transactions: &[Vec<Instruction>],
        payer: &Keypair,
        signers: &[&Keypair],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Vec<Signature>, ClientError> {
        let total = transactions.len();
        let mut landed: Vec<Option<Signature>> = vec![None; total];
        let mut done = 0;
        progress(0, total);
        for _round in 0..MAX_SEND_ROUNDS {
            let pending: Vec<usize> = (0..total).filter(|&i| landed[i].is_none()).collect();
            if pending.is_empty() {
                break;
            }
            let latest = self.get_latest_blockhash()?;
            let mut in_flight: Vec<(usize, Signature)> = Vec::with_capacity(pending.len());
            for chunk in pending.chunks(SEND_BATCH) {
                let mut requests = Vec::with_capacity(chunk.len());
                for &i in chunk {
                    let tx = sign(&transactions[i], payer, signers, latest.blockhash)?;
                    requests.push(("sendTransaction", send_params(&tx, false, self.commitment())?));
                }
                for (&i, answer) in chunk.iter().zip(self.http().call_batch(&requests)?) {
                    match answer {
                        Ok(value) => in_flight.push((i, parse_signature(value.as_str().unwrap_or(""))?)),
                        // Dropped by a full queue: the next round sends it again.
                        Err(ClientError::Rpc(e)) if e.code == NODE_BUSY => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            let mut last_progress = Instant::now();
            let mut pause = Duration::from_millis(10);
            while !in_flight.is_empty() && last_progress.elapsed() < ROUND_QUIET {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(200));
                let signatures: Vec<Signature> = in_flight.iter().map(|(_, s)| *s).collect();
                let statuses = self.get_signature_statuses(&signatures)?;
                let mut still = Vec::with_capacity(in_flight.len());
                for ((i, signature), status) in in_flight.into_iter().zip(statuses) {
                    match status {
                        Some(SignatureStatus { err: Some(err), .. }) => return Err(self.failed(&signature, err)),
                        Some(status) if status.satisfies(self.commitment()) => {
                            if landed[i].is_none() {
                                landed[i] = Some(signature);
                                done += 1;
                                last_progress = Instant::now();
                            }
                        }
                        _ if landed[i].is_some() => {} // an earlier round's copy landed
                        _ => still.push((i, signature)),
                    }
                }
                in_flight = still;
                progress(done, total);
            }
        }
        let missing = landed.iter().filter(|s| s.is_none()).count();
        if missing > 0 {
            return Err(ClientError::Timeout {
                what: format!("{missing} of {total} transactions had not landed after {MAX_SEND_ROUNDS} tries"),
                seconds: (ROUND_QUIET * MAX_SEND_ROUNDS as u32).as_secs_f64(),
            });
        }
        Ok(landed.into_iter().flatten().collect())
    }

    /// Deploy `code` as the program `program` (a new keypair's address),
    /// paid by `payer`, which becomes its upgrade authority; if `program`
    /// already is a program whose authority is `payer`, upgrade it.
    /// `progress(written, total)` counts the buffer's write transactions.
    pub fn deploy_program(
        &self,
        payer: &Keypair,
        program: &Keypair,
        code: &[u8],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Deployed, ClientError> {
        self.install(payer, &program.pubkey(), Some(program), code, progress)
    }

    /// Replace the code of the deployed `program_id`, whose upgrade
    /// authority is `authority` (which also pays).
    pub fn upgrade_program(
        &self,
        authority: &Keypair,
        program_id: &Pubkey,
        code: &[u8],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Deployed, ClientError> {
        self.install(authority, program_id, None, code, progress)
    }

    /// Whether `program_id` is a program `authority` may upgrade (`true`),
    /// an address free for a new program (`false`), or neither (an error
    /// saying why).
    pub fn check_upgradable(&self, program_id: &Pubkey, authority: &Pubkey) -> Result<bool, ClientError> {
        let Some(account) = self.get_account(program_id)? else { return Ok(false) };
        if account.owner != loader::ID {
            return Err(ClientError::Deploy(format!(
                "{program_id} is not a program: an account owned by {}",
                account.owner
            )));
        }
        match LoaderState::read(&account.data) {
            Some(LoaderState::Program { authority: Some(current), .. }) if current == *authority => Ok(true),
            Some(LoaderState::Program { authority: Some(current), .. }) => Err(ClientError::Deploy(format!(
                "program {program_id}'s upgrade authority is {current}, not {authority}"
            ))),
            Some(LoaderState::Program { authority: None, .. }) => {
                Err(ClientError::Deploy(format!("program {program_id} is immutable: it has no upgrade authority")))
            }
            Some(LoaderState::Closed) => {
                Err(ClientError::Deploy(format!("program {program_id} was closed: deploy to a new program id")))
            }
            _ => Err(ClientError::Deploy(format!("{program_id} is a loader account that is not a program"))),
        }
    }

    fn install(
        &self,
        payer: &Keypair,
        program_id: &Pubkey,
        program: Option<&Keypair>,
        code: &[u8],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Deployed, ClientError> {
        check_wasm(code)?;
        let upgrade = self.check_upgradable(program_id, &payer.pubkey())?;
        let program = match (upgrade, program) {
            (true, _) => None,
            (false, Some(program)) => Some(program),
            (false, None) => {
                return Err(ClientError::Deploy(format!(
                    "program {program_id} does not exist: give its keypair to deploy it"
                )))
            }
        };
        let size = STATE_HEADER_LEN + code.len();
        let rent = self.get_minimum_balance_for_rent_exemption(size)?;
        let buffer = Keypair::new();
        let create_buffer = [
            system_instruction::create_account(&payer.pubkey(), &buffer.pubkey(), rent, 0, &loader::ID),
            loader::initialize_buffer(&buffer.pubkey(), &payer.pubkey()),
        ];
        self.send_instructions(&create_buffer, payer, &[&buffer])?;
        let result = self.write_and_install(payer, program_id, program, &buffer.pubkey(), code, rent, progress);
        if result.is_err() {
            // Give the buffer's lamports back; the error that matters is the first.
            let _ = self.send_instructions(
                &[loader::close(&buffer.pubkey(), &payer.pubkey(), &payer.pubkey())],
                payer,
                &[],
            );
        }
        let signature = result?;
        Ok(Deployed { program_id: *program_id, signature, upgraded: upgrade, buffer: buffer.pubkey() })
    }

    #[allow(clippy::too_many_arguments)]
    fn write_and_install(
        &self,
        payer: &Keypair,
        program_id: &Pubkey,
        program: Option<&Keypair>,
        buffer: &Pubkey,
        code: &[u8],
        rent: u64,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Signature, ClientError> {
        let writes: Vec<Vec<Instruction>> =
            loader::write_all(buffer, &payer.pubkey(), code).into_iter().map(|write| vec![write]).collect();
        self.send_and_confirm_many(&writes, payer, &[], progress)?;
        let budget = compute_budget::set_compute_unit_limit(DEPLOY_COMPUTE_UNITS);
        match program {
            Some(program) => self.send_instructions(
                &[
                    budget,
                    system_instruction::create_account(&payer.pubkey(), program_id, rent, 0, &loader::ID),
                    loader::deploy(program_id, buffer, &payer.pubkey()),
                ],
                payer,
                &[program],
            ),
            None => self.send_instructions(&[budget, loader::upgrade(program_id, buffer, &payer.pubkey())], payer, &[]),
        }
    }

    /// Close a program (or buffer) whose authority is `authority`: it can
    /// no longer be invoked, and its lamports go to `recipient`. The
    /// lamports reclaimed, and the signature.
    pub fn close_program(
        &self,
        authority: &Keypair,
        program_id: &Pubkey,
        recipient: &Pubkey,
    ) -> Result<(u64, Signature), ClientError> {
        let account = self
            .get_account(program_id)?
            .ok_or_else(|| ClientError::Deploy(format!("program {program_id} does not exist")))?;
        match (account.owner == loader::ID, LoaderState::read(&account.data)) {
            (
                true,
                Some(
                    LoaderState::Program { authority: Some(current), .. } | LoaderState::Buffer { authority: current },
                ),
            ) if current != authority.pubkey() => {
                return Err(ClientError::Deploy(format!(
                    "{program_id}'s authority is {current}, not {}",
                    authority.pubkey()
                )))
            }
            (true, Some(LoaderState::Program { authority: Some(_), .. } | LoaderState::Buffer { .. })) => {}
            (true, Some(LoaderState::Program { authority: None, .. })) => {
                return Err(ClientError::Deploy(format!("program {program_id} is immutable: it cannot be closed")))
            }
            (true, Some(LoaderState::Closed)) => {
                return Err(ClientError::Deploy(format!("program {program_id} is already closed")))
            }
            _ => return Err(ClientError::Deploy(format!("{program_id} is not a program or buffer"))),
        }
        let signature =
            self.send_instructions(&[loader::close(program_id, &authority.pubkey(), recipient)], authority, &[])?;
        Ok((account.lamports, signature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_wasm_modules_within_the_limit_are_deployable() {
        assert!(check_wasm(b"\0asm\x01\0\0\0").is_ok());
        for bad in [&b""[..], b"\0asm", b"ELF\x7f\x01\0\0\0", b"\0asm\x02\0\0\0", b"#!/bin/sh\necho hi\n"] {
            assert!(matches!(check_wasm(bad), Err(ClientError::InvalidProgram(_))), "{bad:?}");
        }
        let mut huge = b"\0asm\x01\0\0\0".to_vec();
        huge.resize(MAX_PROGRAM_LEN + 1, 0);
        let err = check_wasm(&huge).unwrap_err().to_string();
        assert!(err.contains("largest program"), "{err}");
    }
}
