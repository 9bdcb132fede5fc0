//! The outcome notes of plain form posts. A post answers with a redirect whose
//! `?done=` or `?error=` carries a note's code; the page shows the note in the reader's
//! language (`forms::PostNote`). Each page declares its notes once, as an enum: the
//! handler names a variant, so it cannot send a code the page does not know, and two
//! variants with one code do not compile (the `parse` match would have an unreachable
//! arm, which the lints refuse).

/// Declares a page's notes: `Variant = "code" => ("中文", "English"),` for each, then
/// `_ => Variant`, the note whose text a code that is not (or no longer) one of them
/// gets: the page's general refusal, named once.
macro_rules! notes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal => ($zh:expr, $en:expr $(,)?),)+
            _ => $fallback:ident $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        #[allow(dead_code)]
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The code the redirect carries.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// `path` with this note as its outcome: `?done=code`.
            pub fn done_at(self, path: &str) -> String {
                $crate::notes::with_note(path, "done", self.code())
            }

            /// `path` with this note as its problem: `?error=code`.
            pub fn error_at(self, path: &str) -> String {
                $crate::notes::with_note(path, "error", self.code())
            }

            pub fn parse(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }

            pub fn text(self, l: domain::Locale) -> &'static str {
                match self {
                    $($name::$variant => l.pick($zh, $en),)+
                }
            }

            /// The text for a code from the address bar; an unknown code gets the
            /// page's general text, never nothing.
            pub fn describe(code: &str, l: domain::Locale) -> String {
                match $name::parse(code) {
                    Some(note) => note.text(l).to_string(),
                    None => $name::$fallback.text(l).to_string(),
                }
            }
        }
    };
}

pub(crate) use notes;

/// `path?key=code`, or `path&key=code` when the path has a query already.
pub fn with_note(path: &str, key: &str, code: &str) -> String {
    let join = if path.contains('?') { '&' } else { '?' };
    format!("{path}{join}{key}={code}")
}

#[cfg(test)]
mod tests {
    use domain::Locale;

    notes! {
        enum Example {
            Saved = "saved" => ("已保存。", "Saved."),
            Missing = "missing" => ("请填写。", "Fill it in."),
            Failed = "failed" => ("未完成。", "Not done."),
            _ => Failed,
        }
    }

    #[test]
    fn a_code_reads_back_as_its_note_and_unknown_codes_get_the_general_text() {
        for note in Example::ALL {
            assert_eq!(Example::parse(note.code()), Some(*note));
        }
        assert_eq!(Example::describe("saved", Locale::En), "Saved.");
        assert_eq!(Example::describe("missing", Locale::ZhCn), "请填写。");
        assert_eq!(Example::describe("<b>x</b>", Locale::En), "Not done.");
        assert_eq!(Example::parse(""), None);
        assert_eq!(Example::Saved.done_at("/x"), "/x?done=saved");
        assert_eq!(
            Example::Missing.error_at("/x?id=3"),
            "/x?id=3&error=missing"
        );
    }
}
