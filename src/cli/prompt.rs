//! Asking on the terminal: a hidden line (a token), and yes or no before a run creates a user.

use std::io::{BufRead, IsTerminal, Write};

use super::common::{Failure, usage_error};

/// Reads a line without echoing it (a `*` per character), in raw mode so it never shows.
pub(crate) fn masked_prompt(question: &str) -> std::io::Result<String> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    let mut err = std::io::stderr();
    write!(err, "{question}")?;
    err.flush()?;
    crossterm::terminal::enable_raw_mode()?;
    let mut text = String::new();
    let result = loop {
        match read() {
            Ok(Event::Key(key)) if key.kind == KeyEventKind::Press => match key.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    text.clear();
                    break Err(std::io::Error::new(
                        std::io::ErrorKind::Interrupted,
                        "cancelled",
                    ));
                }
                KeyCode::Esc => {
                    text.clear();
                    break Ok(());
                }
                KeyCode::Backspace if text.pop().is_some() => {
                    let _ = write!(err, "\u{8} \u{8}");
                }
                KeyCode::Char(c) => {
                    text.push(c);
                    let _ = write!(err, "*");
                }
                _ => {}
            },
            Ok(Event::Paste(pasted)) => {
                let _ = write!(err, "{}", "*".repeat(pasted.chars().count()));
                text.push_str(&pasted);
            }
            Ok(_) => {}
            Err(e) => break Err(e),
        }
        let _ = err.flush();
    };
    crossterm::terminal::disable_raw_mode()?;
    writeln!(err)?;
    result.map(|()| text)
}

/// Asks on the terminal; refuses when there is none to ask on.
pub(super) fn confirm() -> Result<bool, Failure> {
    ask("Continue? [y/N] ")?.ok_or_else(|| {
        usage_error(
            "refusing to create a user without asking, and there is no terminal to ask on: rerun with --yes to agree.",
        )
    })
}

/// Asks a yes/no question on the terminal: the answer, or `None` when there is no terminal to
/// ask on.
pub(super) fn ask(question: &str) -> Result<Option<bool>, Failure> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| usage_error(format!("cannot read the answer: {e}")))?;
    Ok(Some(matches!(
        answer.trim().to_lowercase().as_str(),
        "y" | "yes"
    )))
}
