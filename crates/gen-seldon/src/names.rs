//! Kubernetes name rules that every rendered object and every path segment must meet.

/// The longest DNS-1123 label.
pub const MAX_LABEL: usize = 63;

/// Why `value` is not a DNS-1123 label (lowercase letters, digits and `-`, starting and
/// ending with a letter or digit, at most 63 characters), or `None` if it is one.
///
/// Seldon object names are held to this rule too: a `.` in a Model name would be read as
/// a separator in Pipeline references such as `step.outputs.tensor`.
pub fn label_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("it is empty".to_string());
    }
    if value.len() > MAX_LABEL {
        return Some(format!(
            "it is {} characters long; the limit is {MAX_LABEL}",
            value.len()
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "it contains {c:?}; only lowercase letters, digits and '-' are allowed"
        ));
    }
    if value.starts_with('-') || value.ends_with('-') {
        return Some("it must start and end with a lowercase letter or digit".to_string());
    }
    None
}

/// The longest DNS-1123 subdomain.
pub const MAX_SUBDOMAIN: usize = 253;

/// Why `value` is not a DNS-1123 subdomain (dot-separated labels, at most 253 characters;
/// the names of Secrets, Gateways, KafkaTopics), or `None` if it is one.
pub fn subdomain_problem(value: &str) -> Option<String> {
    if value.len() > MAX_SUBDOMAIN {
        return Some(format!(
            "it is {} characters long; the limit is {MAX_SUBDOMAIN}",
            value.len()
        ));
    }
    value.split('.').find_map(|label| {
        label_problem(label).map(|p| {
            if label.is_empty() {
                "it has an empty part between dots".to_string()
            } else {
                format!("part {label:?} {}", p.trim_start_matches("it "))
            }
        })
    })
}

/// Why `value` is not a hostname a Gateway API route accepts (a DNS-1123 subdomain,
/// optionally starting with a `*.` wildcard label; no IP address), or `None`.
pub fn hostname_problem(value: &str) -> Option<String> {
    let rest = value.strip_prefix("*.").unwrap_or(value);
    if rest.contains('*') {
        return Some("a wildcard may only be the whole first label (*.example.com)".to_string());
    }
    if rest.parse::<std::net::IpAddr>().is_ok() {
        return Some("it is an IP address; routes match hostnames only".to_string());
    }
    subdomain_problem(rest)
}

/// Whether `value` is a DNS-1123 label.
pub fn is_label(value: &str) -> bool {
    label_problem(value).is_none()
}

/// A lowercase, label-safe version of `value` for suggestions in error messages.
pub fn suggest_label(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    out.chars()
        .take(MAX_LABEL)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// The closest of `known` to `value`: the same ignoring case, or within a small edit
/// distance (at most 2, or a quarter of the candidate's length). For "did you mean".
pub fn suggest<'a>(value: &str, known: &[&'a str]) -> Option<&'a str> {
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(value)) {
        return Some(k);
    }
    let lower = value.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (distance(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance between two strings, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `did you mean "x"?` when a name of `known` is close to `value`.
pub fn did_you_mean(value: &str, known: &[&str]) -> Option<String> {
    suggest(value, known).map(|s| format!("did you mean {s:?}?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(is_label("price-predictor"));
        assert!(is_label("a1"));
        assert_eq!(label_problem(""), Some("it is empty".into()));
        assert_eq!(
            label_problem("Price"),
            Some("it contains 'P'; only lowercase letters, digits and '-' are allowed".into())
        );
        assert_eq!(
            label_problem("../x"),
            Some("it contains '.'; only lowercase letters, digits and '-' are allowed".into())
        );
        assert_eq!(
            label_problem("-a"),
            Some("it must start and end with a lowercase letter or digit".into())
        );
        assert_eq!(
            label_problem(&"a".repeat(64)),
            Some("it is 64 characters long; the limit is 63".into())
        );
        assert_eq!(suggest_label("Fin_Pred.v2"), "fin-pred-v2");
        assert_eq!(suggest("patern", &["name", "pattern"]), Some("pattern"));
        assert_eq!(suggest("zzzzzz", &["name", "pattern"]), None);
        assert_eq!(
            did_you_mean("price-predicter", &["price-predictor", "risk"]),
            Some("did you mean \"price-predictor\"?".to_string())
        );
    }
}
