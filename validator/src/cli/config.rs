//! Where the `lanes` CLI finds its node and its wallet: `--url`/`-u`
//! (with Solana's `localhost` moniker), `--keypair`, a config file
//! (`--config FILE`, else Lanes' own `~/.config/lanes/cli/config.yml`),
//! and, when Lanes has no keypair configured, Solana's: the
//! `keypair_path` of `~/.config/solana/cli/config.yml`, else
//! `~/.config/solana/id.json` — so a Solana developer's wallet works at once.
//!
//! Never: take a URL from Solana's config file unless it is named with
//! `--config` (Solana's default points at Solana's clusters, not at a Lanes
//! node); write anywhere but the config file `lanes config set` names.

use super::CliError;
use std::path::{Path, PathBuf};

/// What a config file sets (Solana's `config.yml` keys).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    pub json_rpc_url: Option<String>,
    pub websocket_url: Option<String>,
    pub keypair_path: Option<String>,
    pub commitment: Option<String>,
}

impl ConfigFile {
    /// Read a config: Solana's YAML (top-level `key: value` lines, the only
    /// shape Solana's CLI writes) or a JSON object with the same keys.
    pub fn parse(text: &str) -> Result<ConfigFile, String> {
        if text.trim_start().starts_with('{') {
            let json: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
            let field = |name: &str| json.get(name).and_then(|v| v.as_str()).map(str::to_string);
            return Ok(ConfigFile {
                json_rpc_url: field("json_rpc_url"),
                websocket_url: field("websocket_url"),
                keypair_path: field("keypair_path"),
                commitment: field("commitment"),
            });
        }
        let mut config = ConfigFile::default();
        for line in text.lines() {
            // Nested maps (Solana's address_labels) are indented: not ours.
            if line.starts_with([' ', '\t', '#', '-']) || line.trim().is_empty() {
                continue;
            }
            let Some((key, value)) = line.split_once(':') else { continue };
            let value = unquote(value.trim());
            let value = (!value.is_empty()).then(|| value.to_string());
            match key.trim() {
                "json_rpc_url" => config.json_rpc_url = value,
                "websocket_url" => config.websocket_url = value,
                "keypair_path" => config.keypair_path = value,
                "commitment" => config.commitment = value,
                _ => {}
            }
        }
        Ok(config)
    }

    /// As Solana writes it.
    pub fn to_yaml(&self) -> String {
        let line = |key: &str, value: &Option<String>| format!("{key}: '{}'\n", value.as_deref().unwrap_or(""));
        format!(
            "---\n{}{}{}{}",
            line("json_rpc_url", &self.json_rpc_url),
            line("websocket_url", &self.websocket_url),
            line("keypair_path", &self.keypair_path),
            line("commitment", &self.commitment)
        )
    }

    pub fn read(path: &Path) -> Result<ConfigFile, CliError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::new(format!("cannot read the config file {}: {e}", path.display())))?;
        ConfigFile::parse(&text).map_err(|e| CliError::new(format!("config file {}: {e}", path.display())))
    }
}

fn unquote(value: &str) -> &str {
    for quote in ['\'', '"'] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|v| v.strip_suffix(quote)) {
            return inner;
        }
    }
    value
}

/// `$HOME`, which every default path hangs from.
pub fn home() -> Result<PathBuf, CliError> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| CliError::new("HOME is not set: pass --keypair and --url, or set HOME"))
}

/// Lanes' own config file.
pub fn lanes_config_path() -> Result<PathBuf, CliError> {
    Ok(home()?.join(".config/lanes/cli/config.yml"))
}

/// Solana's CLI config file.
pub fn solana_config_path() -> Result<PathBuf, CliError> {
    Ok(home()?.join(".config/solana/cli/config.yml"))
}

/// Solana's default keypair, the wallet `lanes` uses when none is configured.
pub fn solana_default_keypair() -> Result<PathBuf, CliError> {
    Ok(home()?.join(".config/solana/id.json"))
}

/// `~/…` expanded against `$HOME`.
pub fn expand_tilde(path: &str) -> Result<PathBuf, CliError> {
    match path.strip_prefix("~/") {
        Some(rest) => Ok(home()?.join(rest)),
        None => Ok(PathBuf::from(path)),
    }
}

/// The settings in force: flags over the config file over the defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    pub url: String,
    pub ws_url: Option<String>,
    /// The wallet, and where that choice came from (for error messages).
    pub keypair_path: Option<PathBuf>,
    pub commitment: Option<String>,
    /// The config file read, if any.
    pub config_path: Option<PathBuf>,
}

impl Settings {
    /// `config_may_be_missing`: `lanes config set` may name a file it is about to create.
    pub fn resolve(
        url: Option<&str>,
        ws_url: Option<&str>,
        keypair: Option<&Path>,
        config: Option<&Path>,
        config_may_be_missing: bool,
    ) -> Result<Settings, CliError> {
        let (file, config_path) = match config {
            Some(path) if config_may_be_missing && !path.exists() => (ConfigFile::default(), Some(path.to_path_buf())),
            Some(path) => (ConfigFile::read(path)?, Some(path.to_path_buf())),
            None => match lanes_config_path() {
                Ok(path) if path.exists() => (ConfigFile::read(&path)?, Some(path)),
                _ => (ConfigFile::default(), None),
            },
        };
        let url = url
            .map(str::to_string)
            .or_else(|| file.json_rpc_url.clone())
            .unwrap_or_else(|| lanes_client::LOCALHOST_URL.to_string());
        let keypair_path = match (keypair, &file.keypair_path) {
            (Some(path), _) => Some(path.to_path_buf()),
            (None, Some(path)) => Some(expand_tilde(path)?),
            (None, None) => default_keypair().ok(),
        };
        Ok(Settings {
            url: lanes_client::expand_moniker(&url),
            ws_url: ws_url.map(str::to_string).or(file.websocket_url),
            keypair_path,
            commitment: file.commitment,
            config_path,
        })
    }
}

/// Solana's wallet: its config's `keypair_path`, else `~/.config/solana/id.json`.
fn default_keypair() -> Result<PathBuf, CliError> {
    if let Ok(path) = solana_config_path() {
        if let Ok(Some(keypair)) = std::fs::read_to_string(&path).map(|t| ConfigFile::parse(&t).ok()?.keypair_path) {
            return expand_tilde(&keypair);
        }
    }
    solana_default_keypair()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_solanas_config_yml() {
        let text = "---\njson_rpc_url: \"http://127.0.0.1:8899\"\nwebsocket_url: ''\nkeypair_path: /home/me/.config/solana/id.json\naddress_labels:\n  '11111111111111111111111111111111': System Program\ncommitment: confirmed\n";
        let config = ConfigFile::parse(text).unwrap();
        assert_eq!(config.json_rpc_url.as_deref(), Some("http://127.0.0.1:8899"));
        assert_eq!(config.websocket_url, None);
        assert_eq!(config.keypair_path.as_deref(), Some("/home/me/.config/solana/id.json"));
        assert_eq!(config.commitment.as_deref(), Some("confirmed"));
        assert_eq!(ConfigFile::parse(&config.to_yaml()).unwrap(), config);
    }

    #[test]
    fn reads_json_config_and_refuses_broken_json() {
        let config = ConfigFile::parse(r#"{"json_rpc_url": "http://127.0.0.1:9", "keypair_path": "k.json"}"#).unwrap();
        assert_eq!(config.json_rpc_url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(config.keypair_path.as_deref(), Some("k.json"));
        assert!(ConfigFile::parse("{ nope").is_err());
    }
}
