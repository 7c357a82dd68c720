//! Colours on the terminal, through `console`: on only when standard output is a
//! terminal and neither `--no-color` nor `NO_COLOR` says otherwise.

use std::io::IsTerminal;

#[derive(Clone, Copy)]
pub struct Style {
    on: bool,
}

impl Style {
    pub fn detect(no_color: bool) -> Style {
        Style {
            on: !no_color
                && std::env::var_os("NO_COLOR").is_none()
                && std::io::stdout().is_terminal(),
        }
    }

    fn paint(self, s: console::Style, text: &str) -> String {
        s.force_styling(self.on).apply_to(text).to_string()
    }

    pub fn red(self, text: &str) -> String {
        self.paint(console::Style::new().red(), text)
    }

    pub fn yellow(self, text: &str) -> String {
        self.paint(console::Style::new().yellow(), text)
    }

    pub fn green(self, text: &str) -> String {
        self.paint(console::Style::new().green(), text)
    }
}

#[cfg(test)]
mod tests {
    use super::Style;

    #[test]
    fn plain_unless_asked() {
        assert_eq!(Style { on: false }.red("x"), "x");
        assert_eq!(Style { on: true }.green("x"), "\u{1b}[32mx\u{1b}[0m");
    }
}
