//! The server's secret key for verification codes. Applicants and visitors get a code with their tracking or
//! booking number; the database keeps only an HMAC-SHA256 of number and code under this key. The key lives
//! outside the database (a file beside it, the same file on every instance), so a backup or a copy of the
//! database alone does not let anyone recover the codes: six digits are a million guesses, which an
//! unkeyed hash gives up in well under a second.

use std::io::Write;
use std::path::Path;

use hmac::{KeyInit, Mac};

use crate::StoreError;

/// 32 random bytes. `Debug` does not show them.
#[derive(Clone, PartialEq, Eq)]
pub struct CodeKey([u8; 32]);

impl std::fmt::Debug for CodeKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("CodeKey(…)")
    }
}

/// Marks a stored code hash made with a [`CodeKey`]; older rows hold a bare SHA-256 (schema ≤ 6).
const KEYED: &str = "h1:";

impl CodeKey {
    /// A fresh random key.
    pub fn generate() -> Result<CodeKey, StoreError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|err| StoreError::InvalidData(format!("no random bytes for a key: {err}")))?;
        Ok(CodeKey(bytes))
    }

    /// The key in `path` (64 hex digits), or a new one written there (readable by its owner only) when the
    /// file does not exist. A file that exists but holds no key is an error, never replaced: replacing it
    /// would make every issued code unverifiable.
    pub fn load_or_create(path: &Path) -> Result<CodeKey, std::io::Error> {
        match std::fs::read_to_string(path) {
            Ok(text) => CodeKey::parse(text.trim()).ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{} does not hold a key (64 hexadecimal digits)", path.display()),
                )
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                // Written whole to a file of its own, then linked into place: two servers starting at once
                // on a new key file agree on one key, and none ever reads a half-written file.
                let key = CodeKey::generate().map_err(std::io::Error::other)?;
                let mut draft = path.as_os_str().to_owned();
                draft.push(format!(".{}.new", std::process::id()));
                let draft = std::path::PathBuf::from(draft);
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create(true).truncate(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(&draft)?;
                writeln!(file, "{}", hex::encode(key.0))?;
                file.sync_all()?;
                let linked = std::fs::hard_link(&draft, path);
                std::fs::remove_file(&draft).ok();
                match linked {
                    Ok(()) => Ok(key),
                    Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                        CodeKey::load_or_create(path)
                    }
                    Err(err) => Err(err),
                }
            }
            Err(err) => Err(err),
        }
    }

    fn parse(text: &str) -> Option<CodeKey> {
        let bytes = hex::decode(text).ok()?;
        Some(CodeKey(bytes.try_into().ok()?))
    }

    /// What is stored for `code` issued with `number`.
    pub(crate) fn hash(&self, number: &str, code: &str) -> String {
        format!("{KEYED}{}", hex::encode(self.mac(number, code).finalize().into_bytes()))
    }

    /// A MAC under the key with a label per use (codes, seals, the check value), so no output of one use is
    /// an output of another.
    fn labelled(&self, label: &[u8]) -> hmac::Hmac<sha2::Sha256> {
        let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC takes a key of any length");
        mac.update(label);
        mac
    }

    fn mac(&self, number: &str, code: &str) -> hmac::Hmac<sha2::Sha256> {
        let mut mac = self.labelled(b"code:");
        mac.update(number.as_bytes());
        mac.update(b":");
        mac.update(code.as_bytes());
        mac
    }

    /// Whether `stored` is the hash of `code` with `number`: a keyed hash checked in constant time, or a
    /// bare SHA-256 of a code issued before keys (the caller then stores [`CodeKey::hash`] in its place).
    pub(crate) fn verify(&self, stored: &str, number: &str, code: &str) -> Verified {
        match stored.strip_prefix(KEYED) {
            Some(hex_mac) => match hex::decode(hex_mac) {
                Ok(tag) if self.mac(number, code).verify_slice(&tag).is_ok() => Verified::Yes,
                _ => Verified::No,
            },
            None if !stored.is_empty() => {
                let unkeyed = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
                    format!("{number}:{code}").as_bytes(),
                ));
                if crate::applications::same_digest(stored, &unkeyed) {
                    Verified::Unkeyed
                } else {
                    Verified::No
                }
            }
            None => Verified::No,
        }
    }

    /// What is stored for an applicant's normalised identity ([`gongkai_core::applicants::identity`]): a
    /// keyed hash, the same for the same person on every application, useless without the key.
    pub(crate) fn applicant(&self, identity: &str) -> String {
        let mut mac = self.labelled(b"applicant:");
        mac.update(identity.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The pad for `nonce`: HMAC-SHA256 of it under the key, a pseudorandom function of the nonce.
    fn pad(&self, nonce: &str) -> [u8; 32] {
        let mut mac = self.labelled(b"seal:");
        mac.update(nonce.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// `text` (at most 32 bytes, e.g. a verification code) encrypted for keeping a short while, under a
    /// `nonce` used for nothing else (a one-time form token): XOR with [`CodeKey::pad`]. `None` for a longer
    /// text.
    pub(crate) fn seal(&self, nonce: &str, text: &str) -> Option<String> {
        let pad = self.pad(nonce);
        (text.len() <= pad.len()).then(|| {
            hex::encode(text.bytes().zip(pad).map(|(byte, key)| byte ^ key).collect::<Vec<_>>())
        })
    }

    /// The text [`CodeKey::seal`] sealed under `nonce`; `None` if it does not open under this key.
    pub(crate) fn unseal(&self, nonce: &str, sealed: &str) -> Option<String> {
        let bytes = hex::decode(sealed).ok().filter(|bytes| bytes.len() <= 32)?;
        let pad = self.pad(nonce);
        String::from_utf8(bytes.iter().zip(pad).map(|(byte, key)| byte ^ key).collect()).ok()
    }

    /// A value that identifies the key without revealing it, kept in the database: a server started with
    /// another key file is refused ([`crate::Store::check_code_key`]).
    pub(crate) fn check_value(&self) -> String {
        hex::encode(self.labelled(b"check:gongkai").finalize().into_bytes())
    }
}

/// The answer of [`CodeKey::verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verified {
    Yes,
    /// Right, but stored the old way: to be replaced by the keyed hash.
    Unkeyed,
    No,
}

impl Verified {
    pub(crate) fn ok(self) -> bool {
        self != Verified::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_verifies_only_under_its_key_and_number() {
        let key = CodeKey::generate().unwrap();
        let stored = key.hash("YSQ2026000001", "123456");
        assert!(stored.starts_with("h1:") && stored.len() == 3 + 64, "{stored}");
        assert_eq!(key.verify(&stored, "YSQ2026000001", "123456"), Verified::Yes);
        assert_eq!(key.verify(&stored, "YSQ2026000001", "123457"), Verified::No);
        assert_eq!(key.verify(&stored, "YSQ2026000002", "123456"), Verified::No);
        let other = CodeKey::generate().unwrap();
        assert_eq!(other.verify(&stored, "YSQ2026000001", "123456"), Verified::No);
        // Without the key, the hash is no SHA-256 of number and code (what a backup used to give away).
        let bare = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"YSQ2026000001:123456"));
        assert_ne!(&stored[3..], bare);
        // A code stored before keys still verifies, and says it should be re-hashed.
        assert_eq!(key.verify(&bare, "YSQ2026000001", "123456"), Verified::Unkeyed);
        assert_eq!(key.verify(&bare, "YSQ2026000001", "000000"), Verified::No);
        assert_eq!(key.verify("", "YSQ2026000001", ""), Verified::No);
        assert_eq!(key.verify("h1:zz", "YSQ2026000001", "123456"), Verified::No);
    }

    #[test]
    fn a_sealed_code_opens_only_with_its_key_and_nonce() {
        let key = CodeKey::generate().unwrap();
        let sealed = key.seal("0123456789abcdef0123456789abcdef", "482913").unwrap();
        assert!(!sealed.contains("482913"));
        assert_eq!(
            key.unseal("0123456789abcdef0123456789abcdef", &sealed).as_deref(),
            Some("482913")
        );
        assert_ne!(
            key.unseal("ffff456789abcdef0123456789abcdef", &sealed).as_deref(),
            Some("482913")
        );
        let other = CodeKey::generate().unwrap();
        assert_ne!(
            other.unseal("0123456789abcdef0123456789abcdef", &sealed).as_deref(),
            Some("482913")
        );
        assert!(key.seal("n", &"x".repeat(33)).is_none());
    }

    #[test]
    fn the_key_file_is_made_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("gk_key_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("secret.key");
        std::fs::remove_file(&path).ok();
        let made = CodeKey::load_or_create(&path).unwrap();
        assert_eq!(CodeKey::load_or_create(&path).unwrap(), made);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        std::fs::write(&path, "not a key\n").unwrap();
        assert!(CodeKey::load_or_create(&path).is_err(), "a bad file is an error, not replaced");
        std::fs::remove_dir_all(&dir).ok();
    }
}
