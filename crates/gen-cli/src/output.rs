//! Printing reports and summaries; the only place that writes to the terminal.

use std::io::IsTerminal;

use gen_profile::{ExitStatus, Report, Style};

use crate::args::Format;

/// Colour for diagnostics on stderr: only on a terminal, and never with `NO_COLOR` set
/// (<https://no-color.org>).
pub fn style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if !no_color && std::io::stderr().is_terminal() {
        Style::Colour
    } else {
        Style::Plain
    }
}

pub fn report(report: &Report, format: Format) {
    match format {
        Format::Text => err!("{}", report.render(style())),
        Format::Json => outln!("{}", serde_json::to_string(report).unwrap_or_default()),
    }
}

pub fn io_error(context: &str, e: &std::io::Error, format: Format) {
    match format {
        Format::Text => errln!("error: {context}: {e}"),
        Format::Json => outln!(
            "{}",
            serde_json::json!({"error": format!("{context}: {e}")})
        ),
    }
}

/// Report why an environment's bundle could not be made; the exit status it means. A
/// fleet whose environment was not named is told the option that names one.
pub fn environment_error(e: &gen_render::fleet::EnvironmentError, format: Format) -> ExitStatus {
    use gen_render::fleet::EnvironmentError;
    if let EnvironmentError::Profile(r) = e {
        report(r, format);
        return r.exit_status();
    }
    let message = match e {
        EnvironmentError::Unnamed { .. } => format!("{e} with --environment"),
        _ => e.to_string(),
    };
    match format {
        Format::Text => errln!("error: {message}"),
        Format::Json => outln!("{}", serde_json::json!({ "error": message })),
    }
    ExitStatus::UsageOrInput
}

/// Print a unified diff on stdout, coloured when stdout is a terminal.
pub fn diff(text: &str) {
    if !std::io::stdout().is_terminal() {
        out!("{text}");
        return;
    }
    for line in text.lines() {
        let colour = if line.starts_with("+++") || line.starts_with("---") {
            "1"
        } else if line.starts_with('+') {
            "32"
        } else if line.starts_with('-') {
            "31"
        } else if line.starts_with("@@") {
            "36"
        } else {
            ""
        };
        if colour.is_empty() {
            outln!("{line}");
        } else {
            outln!("\x1b[{colour}m{line}\x1b[0m");
        }
    }
}

/// Write to stdout, ignoring a closed pipe.
pub fn write_out(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Write to stderr, ignoring a closed pipe.
pub fn write_err(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
