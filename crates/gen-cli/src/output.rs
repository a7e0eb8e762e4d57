//! Printing reports and summaries; the only place that writes to the terminal.

use std::io::IsTerminal;

use gen_profile::Report;

use crate::args::Format;

pub fn report(report: &Report, format: Format) {
    match format {
        Format::Text => eprint!("{}", report.render()),
        Format::Json => println!("{}", serde_json::to_string(report).unwrap_or_default()),
    }
}

pub fn io_error(context: &str, e: &std::io::Error, format: Format) {
    match format {
        Format::Text => eprintln!("error: {context}: {e}"),
        Format::Json => println!(
            "{}",
            serde_json::json!({"error": format!("{context}: {e}")})
        ),
    }
}

/// Print a unified diff on stdout, coloured when stdout is a terminal.
pub fn diff(text: &str) {
    if !std::io::stdout().is_terminal() {
        print!("{text}");
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
            println!("{line}");
        } else {
            println!("\x1b[{colour}m{line}\x1b[0m");
        }
    }
}
