//! Where a person goes next: after signing in, and back from the language switch.

use crate::Role;

/// `next` as a path on this site, or None. Browsers read `/\evil`, `//evil` and
/// `/<TAB>/evil` as another host, so anything but a plain path is refused: it must start
/// with one `/`, and hold no backslash, no control character and no whitespace.
pub fn same_site_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
        // Decoded once more by some proxies: an encoded slash or backslash at the start.
        && !next.get(1..4).is_some_and(|s| {
            let s = s.to_ascii_lowercase();
            s == "%2f" || s == "%5c"
        });
    ok.then_some(next)
}

/// The page a role works on: where a sign-in lands unless `next` says otherwise.
pub fn working_page(role: Role) -> &'static str {
    match role {
        Role::Applicant => "/apply",
        Role::TownshipReviewer => "/review",
        Role::PanelMember => "/scoring",
        Role::CountyOffice | Role::Leader => "/dashboard",
        Role::SystemAdmin => "/admin/users",
        Role::SecurityAdmin => "/security",
        Role::AuditAdmin => "/audit",
        Role::MemberUnitStaff => "/account",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_paths_pass() {
        for p in [
            "/",
            "/apply/3/facts",
            "/units?q=%E7%99%BE&per=50",
            "/review#x",
        ] {
            assert_eq!(same_site_path(p), Some(p));
        }
    }

    #[test]
    fn other_hosts_are_refused() {
        for p in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://evil.example/",
            "evil.example",
            "",
            "/%2f/evil.example",
            "/%5Cevil.example",
            "/ /evil.example",
        ] {
            assert_eq!(same_site_path(p), None, "{p:?}");
        }
    }

    #[test]
    fn every_role_has_a_page() {
        for r in Role::ALL {
            assert!(same_site_path(working_page(r)).is_some());
        }
    }

    proptest! {
        /// Whatever passes starts a path on this host: a browser resolving it against
        /// the site keeps the site's host.
        #[test]
        fn what_passes_stays_on_the_site(s in "\\PC{0,12}") {
            if let Some(p) = same_site_path(&s) {
                prop_assert!(p.starts_with('/'));
                prop_assert!(!p[1..].starts_with('/') && !p[1..].starts_with('\\'));
            }
        }
    }
}
