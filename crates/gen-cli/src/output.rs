//! Printing reports and summaries; the only place that writes to the terminal.

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
