//! Who may do what: the roles of the campaign and of system administration.
//!
//! Staff roles are scoped to a subtree of the area tree (a township reviewer sees
//! their township; a city leader sees every county of the city). The three
//! administrators are separated (三员分立): no account holds two of them.

use crate::area::AreaCode;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// An organisation applying: merchant, street body, association, village committee.
    Applicant,
    /// 乡镇初审: staff of one township.
    TownshipReviewer,
    /// 县创建办: the county office at the market-regulation bureau.
    CountyOffice,
    /// 评审组成员: scores applications.
    PanelMember,
    /// 牵头/配合单位: reads and comments within its sector.
    MemberUnitStaff,
    /// Leadership: dashboards, read-only.
    Leader,
    /// 系统管理员: manages accounts; cannot read the audit log.
    SystemAdmin,
    /// 安全管理员: sets security policies.
    SecurityAdmin,
    /// 审计管理员: reads the audit log; changes nothing.
    AuditAdmin,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Applicant,
        Role::TownshipReviewer,
        Role::CountyOffice,
        Role::PanelMember,
        Role::MemberUnitStaff,
        Role::Leader,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::TownshipReviewer => "township_reviewer",
            Role::CountyOffice => "county_office",
            Role::PanelMember => "panel_member",
            Role::MemberUnitStaff => "member_unit_staff",
            Role::Leader => "leader",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Role::Applicant => ("创建申报单位", "Applicant"),
            Role::TownshipReviewer => ("乡镇初审人员", "Township reviewer"),
            Role::CountyOffice => ("县创建办", "County office"),
            Role::PanelMember => ("评审组成员", "Review panel member"),
            Role::MemberUnitStaff => ("成员单位", "Member unit"),
            Role::Leader => ("领导", "Leader"),
            Role::SystemAdmin => ("系统管理员", "System administrator"),
            Role::SecurityAdmin => ("安全管理员", "Security administrator"),
            Role::AuditAdmin => ("审计管理员", "Audit administrator"),
        }
    }

    /// Staff accounts are created by the system administrator and need two factors.
    pub fn is_staff(self) -> bool {
        self != Role::Applicant
    }

    /// One of the three separated administrators.
    pub fn is_administrator(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
        )
    }
}

/// May someone scoped to `scope` act on something located in `target`?
/// Everything inside the scope's subtree is in reach; nothing outside it is.
pub fn in_scope(scope: &AreaCode, target: &AreaCode) -> bool {
    scope.contains(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn exactly_three_administrators_and_one_non_staff_role() {
        assert_eq!(Role::ALL.iter().filter(|r| r.is_administrator()).count(), 3);
        assert_eq!(Role::ALL.iter().filter(|r| !r.is_staff()).count(), 1);
    }

    #[test]
    fn scope_is_the_subtree() {
        let yaodu = AreaCode::parse("341721100").unwrap();
        let dongliu = AreaCode::parse("341721101").unwrap();
        let county = AreaCode::parse("341721").unwrap();
        let city = AreaCode::parse("3417").unwrap();
        assert!(in_scope(&yaodu, &yaodu));
        assert!(
            !in_scope(&yaodu, &dongliu),
            "township A cannot reach township B"
        );
        assert!(in_scope(&county, &dongliu));
        assert!(in_scope(&city, &county));
        assert!(!in_scope(&county, &city));
        assert!(!in_scope(&AreaCode::parse("341722").unwrap(), &yaodu));
    }
}
