//! Where a Model's artifact comes from, and secrets that must not reach git.

use gen_diagnostics::{Rule, Severity, Stage};

use super::{Origin, Out};
use crate::kinds::ModelSpec;

pub(super) static STORAGE_URI: Rule = Rule::new(
    Stage::Seldon,
    "storage-uri",
    Severity::Error,
    "a Model's storageUri has a scheme, bucket or host Seldon's storage can serve",
    "The agent in every Server pod downloads a Model's artifact with rclone: `storageUri` \
is an rclone URI (gs://, s3://, az://, https://, http://) or an absolute path on a volume \
mounted into the Server pods. A URI without a scheme, with another scheme, or without a \
bucket or host cannot be fetched, and the Model never loads.

Fix: write the URI as scheme://bucket/path (credentials go in a Secret named by secretName).",
);

pub(super) static STORAGE_CREDENTIALS: Rule = Rule::new(
    Stage::Seldon,
    "storage-credentials",
    Severity::Error,
    "a Model's storageUri carries no inline credentials",
    "A storageUri with user information (`https://user:pass@host/...`) or a signing or key \
query parameter (`?sig=`, `X-Amz-Signature=`, `token=`) puts a credential into the Model \
object, and so into the rendered bundle that is committed to git.

Fix: remove the credential from the URI, put it in an rclone-format Secret in the Model's \
namespace, and name that Secret in `secretName`. The message never repeats the URI.",
)
.hiding_source();

pub(super) static PARAMETER_CREDENTIAL: Rule = Rule::new(
    Stage::Seldon,
    "parameter-credential",
    Severity::Error,
    "no Model parameter looks like a credential",
    "Model `parameters` are plain name/value pairs stored in the Model object, so in git. A \
parameter named like a password, token, API key or secret would commit that secret.

Fix: give the model its credentials through a Secret (`secretName`), or rename a parameter \
that only looks like one.",
)
.hiding_source();

/// The storage rules of one Model: its URI and its parameters.
pub(super) fn check_model_storage(origin: &Origin, name: &str, spec: &ModelSpec, out: &mut Out) {
    if let Some((rule, message, help)) = storage_uri_problem(&spec.storage_uri) {
        out.report(
            rule,
            origin,
            "storageUri",
            format!("Model {name:?}: {message}"),
            help,
        );
    }
    for (i, p) in spec.parameters.iter().enumerate() {
        if looks_like_credential(&p.name) {
            out.report(
                &PARAMETER_CREDENTIAL,
                origin,
                format!("parameters[{i}].name"),
                format!("Model {name:?} parameter {:?} looks like a credential; its value would be committed to git in the rendered bundle", p.name),
                "give the model its credentials through a Secret (secretName), not a parameter",
            );
        }
    }
}

/// The storageUri schemes Seldon's rclone storage serves (besides absolute paths).
pub const STORAGE_SCHEMES: &[&str] = &["gs", "s3", "az", "https", "http"];
/// Query parameters of a storageUri that carry credentials (matched case-insensitively).
pub const CREDENTIAL_PARAMS: &[&str] = &[
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "token",
    "access_key",
    "accesskey",
    "secret",
    "secret_key",
    "password",
    "awsaccesskeyid",
];

/// Whether a key or parameter name looks like it holds a secret (password, token, …).
pub fn looks_like_credential(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    CREDENTIAL_WORDS.iter().any(|w| n.contains(w))
        && !CREDENTIAL_EXEMPT_SUFFIXES.iter().any(|s| n.ends_with(s))
}

/// A name holds a secret if, lowercased and with everything but ASCII letters and digits
/// removed, it contains one of these words…
pub const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
    "credential",
];

/// …unless it ends with one of these (it names a Secret, e.g. `secretName`).
pub const CREDENTIAL_EXEMPT_SUFFIXES: &[&str] = &["name", "ref"];

/// Why a storageUri is refused: the rule, the message and the fix.
fn storage_uri_problem(uri: &str) -> Option<(&'static Rule, String, String)> {
    let schemes = || {
        STORAGE_SCHEMES
            .iter()
            .map(|s| format!("{s}://"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if uri.starts_with('/') {
        return None;
    }
    let (scheme, rest) = uri.split_once("://").unwrap_or(("", uri));
    // Credentials first, and never echo a URI that may hold them.
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let query = rest.split_once('?').map(|(_, q)| q).unwrap_or("");
    let credential_param = query.split('&').find_map(|kv| {
        let key = kv.split('=').next().unwrap_or("").to_ascii_lowercase();
        CREDENTIAL_PARAMS.contains(&key.as_str()).then_some(key)
    });
    if (!scheme.is_empty() && authority.contains('@')) || credential_param.is_some() {
        let what = match credential_param {
            Some(k) => format!("a {k:?} query parameter"),
            None => "user information before '@'".to_string(),
        };
        return Some((
            &STORAGE_CREDENTIALS,
            format!(
                "storageUri carries inline credentials ({what}); they would be committed to git in the rendered bundle"
            ),
            "remove them from the URI, store them in a Secret and name it in secretName"
                .to_string(),
        ));
    }
    if scheme.is_empty() {
        return Some((
            &STORAGE_URI,
            format!("storageUri {uri:?} has no scheme"),
            format!(
                "use one of {}, or an absolute path on a mounted volume",
                schemes()
            ),
        ));
    }
    if !STORAGE_SCHEMES.contains(&scheme) {
        return Some((
            &STORAGE_URI,
            format!(
                "storageUri {uri:?} has scheme {scheme:?}, which Seldon's rclone storage does not serve here"
            ),
            format!("use one of {}", schemes()),
        ));
    }
    if authority.is_empty() {
        return Some((
            &STORAGE_URI,
            format!("storageUri {uri:?} names no bucket or host"),
            format!("write it as {scheme}://bucket/path"),
        ));
    }
    None
}
