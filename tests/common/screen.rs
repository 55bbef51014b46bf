//! The terminal as a person sees it, for tests that drive the real binary in a pty.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use rexpect::session::PtySession;

/// The terminal as a person sees it: the pty's output replayed through a VT100 emulator, since
/// ratatui redraws only the cells that changed and words arrive scattered between cursor moves.
pub struct Screen {
    parser: vt100::Parser,
}

impl Screen {
    pub fn new() -> Screen {
        Screen {
            parser: vt100::Parser::new(
                std::num::NonZeroU16::new(40).unwrap(),
                std::num::NonZeroU16::new(120).unwrap(),
                0,
            ),
        }
    }

    /// Waits until the screen shows `text` (a hang guard, not a speed assertion).
    pub fn wait_for(&mut self, p: &mut PtySession, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut bytes = Vec::new();
            while let Some(c) = p.try_read() {
                // rexpect hands out each byte as a char.
                bytes.push(c as u32 as u8);
            }
            self.parser.process(&bytes);
            let contents = self.parser.screen().contents();
            if contents.contains(text) {
                return contents;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {text:?}:\n{contents}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
