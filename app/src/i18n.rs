//! Every user-visible string, in Chinese and English side by side.
//!
//! A message is an enum variant and its text a `(中文, English)` pair, so the compiler
//! refuses a string that lacks either language, and an unused message is dead code.
//! The current locale is a signal in context: switching language re-renders the text
//! in place, without a reload.

use domain::Locale;
use leptos::prelude::*;

/// Name of the cookie that remembers the chosen language.
pub const LOCALE_COOKIE: &str = "fx_lang";

/// Declares the messages: the enum, its `(中文, English)` pairs and the list of all of them.
macro_rules! messages {
    ($($name:ident => ($zh:expr, $en:expr $(,)?)),* $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($name),* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$name),*];

            /// The text pair; every message has both languages or it does not compile.
            pub fn pair(self) -> (&'static str, &'static str) {
                match self { $(Msg::$name => ($zh, $en)),* }
            }
        }
    };
}

messages! {

    AppName => ("放心消费在东至", "Trusted Consumption in Dongzhi"),
    AppTagline => ("放心消费创建管理平台", "Trusted-consumption campaign platform"),
    CountyOffice => ("东至县放心消费创建工作领导小组办公室", "Dongzhi County Trusted Consumption Campaign Office"),
    SwitchLanguage => ("English", "中文"),
    // The visible word comes first: the accessible name must contain it (WCAG 2.5.3).
    SwitchLanguageLabel => ("English：切换到英文", "中文: switch to Chinese"),
    NavHome => ("首页", "Home"),
    SkipToContent => ("跳到正文", "Skip to content"),
    HomeTitle => ("新一轮放心消费创建活动", "The new round of the trusted-consumption campaign"),
    HomeLead => (
    "认定一批消费环境优、示范作用好、社会影响广、文明程度高的示范单位、街区、行业协会（商会）和乡村（社区），让消费纠纷处理率、处理成功率和消费者满意率逐年提高。",
    "Recognising businesses, streets, associations and villages with an excellent consumer environment, so that complaint handling, success and satisfaction rates rise year after year.",
    ),
    OpenBatch => ("正在申报的批次", "Batch open for applications"),
    NoOpenBatch => ("目前没有开放申报的批次，请留意县创建办通知。", "No batch is open for applications now; watch for the county office's notice."),
    ApplicationWindow => ("申报时间", "Applications"),
    ReviewWindow => ("评估验收", "Evaluation"),
    BatchOpenBadge => ("申报中", "Open"),
    CategoriesHeading => ("四类创建", "Four categories"),
    CategoriesLead => ("按创建主体选择类别，在线申报。", "Choose the category that fits the applicant and apply online."),
    LeadUnit => ("牵头单位", "Lead unit"),
    CooperatingUnits => ("配合单位", "Cooperating units"),
    StepsHeading => ("工作步骤", "How it works"),
    Step1 => ("发布通知", "Notice"),
    Step1Text => ("县创建办发布创建活动通知，启动新一批次。", "The county office opens a new campaign batch."),
    Step2 => ("动员组织", "Mobilisation"),
    Step2Text => ("各乡镇和成员单位动员，创建对象在线申报。", "Townships and member units recruit; applicants apply online."),
    Step3 => ("推进创建", "Promotion"),
    Step3Text => ("乡镇对照标准初审、培育和辅导。", "Townships pre-review applicants against the standards and coach them."),
    Step4 => ("评估验收", "Evaluation"),
    Step4Text => ("评审组按分类评价指标打分；未通过的给予半年整改期。", "A panel scores against the category's indicators; a failure gets six months to rectify."),
    Step5 => ("组织公示", "Public notice"),
    Step5Text => ("评估结果向社会公示至少5个工作日。", "Results are on public notice for at least 5 working days."),
    Step6 => ("认定公布", "Recognition"),
    Step6Text => ("认定并发放奖牌，向社会公布。", "Recognised units receive a plaque and are published."),
    Step7 => ("动态管理", "Dynamic management"),
    Step7Text => ("定期复查，不合格的取消资格并公布。", "Periodic re-inspection; those that fail lose the title publicly."),
    Loading => ("正在加载…", "Loading…"),
    LoadFailed => ("加载失败，请稍后重试。", "Could not load; please try again shortly."),
    NotFoundTitle => ("页面不存在", "Page not found"),
    NotFoundText => ("您访问的页面不存在或已被移除。", "The page you asked for does not exist or has been removed."),
    BackHome => ("返回首页", "Back to the home page"),
    FooterOffice => ("主办：东至县放心消费创建工作领导小组办公室（县市场监管局）", "Run by the Dongzhi County campaign office (County Administration for Market Regulation)"),
    FooterPlan => ("依据《东至县新一轮放心消费创建活动实施方案》", "Under the Dongzhi County plan for the new round of the trusted-consumption campaign"),
    ErrorInternal => ("服务器出了点问题，请稍后重试；您填写的内容没有丢失。", "Something went wrong on the server; please try again. Nothing you entered was lost."),
    ErrorNotFound => ("找不到要访问的内容。", "What you asked for was not found."),
    ErrorForbidden => ("您没有权限执行此操作。", "You do not have permission to do this."),
    ErrorSignInRequired => ("请先登录。", "Please sign in first."),
    ErrorTooManyRequests => ("操作太频繁，请稍后再试。", "Too many requests; please wait a moment and try again."),
    ErrorTooLarge => ("提交的内容过大，请删减后重试。", "What was sent is too large; please shorten it and try again."),
    ErrorBadRequest => ("提交的内容无法识别，请检查后重试。", "The request could not be understood; please check it and try again."),
    ErrorInvalid => ("请按提示修改标红的内容，已填写的内容都保留着。", "Please correct the marked fields; everything you entered is kept."),
    ErrorBadCredentials => ("账号或密码不正确。", "The account or password is not correct."),
    ErrorLocked => ("连续登录失败次数过多，账号已临时锁定15分钟。", "Too many failed sign-ins: the account is locked for 15 minutes."),
    FieldCreditCode => ("统一社会信用代码", "Unified social credit code"),
    FieldOrganisationName => ("单位名称（与营业执照或登记证书一致）", "Registered name (as on the licence or certificate)"),
    FieldCategory => ("创建类别", "Category"),
    FieldTownship => ("所在乡镇", "Township"),
    FieldContactName => ("联系人", "Contact person"),
    FieldMobile => ("联系手机", "Contact mobile"),
    FieldLogin => ("账号", "Account"),
    FieldDisplayName => ("姓名", "Name"),
    FieldRole => ("角色", "Role"),
    FieldPassword => ("密码", "Password"),
    FieldNewPassword => ("新密码", "New password"),
    FieldPasswordConfirm => ("再次输入新密码", "Repeat the new password"),
    FieldTotpCode => ("动态验证码（6位）", "Authenticator code (6 digits)"),
    ProblemRequired => ("必填。", "Required."),
    ProblemTooLong => ("内容过长。", "Too long."),
    ProblemCreditCodeLength => ("应为18位，请核对营业执照。", "Must be 18 characters; check the business licence."),
    ProblemCreditCodeCharacter => ("含有不允许的字符（不使用 I、O、S、V、Z）。", "Contains a character that is never used (I, O, S, V, Z)."),
    ProblemCreditCodeCheck => ("校验位不符，可能有字符输错，请逐位核对营业执照。", "The check character does not match: a character is probably mistyped; compare it with the licence."),
    ProblemMobileMalformed => ("请输入11位手机号码，如 13812345678。", "Enter an 11-digit mobile number, e.g. 13812345678."),
    ProblemPasswordTooShort => ("至少10个字符。", "At least 10 characters."),
    ProblemPasswordClasses => ("需包含大写字母、小写字母、数字、符号中的至少3类。", "Use at least 3 of: upper case, lower case, digits, symbols."),
    ProblemPasswordContainsName => ("不能包含账号。", "Must not contain the account name."),
    ProblemPasswordMismatch => ("两次输入的密码不一致。", "The two passwords differ."),
    ProblemAlreadyRegistered => ("该代码已注册，请直接登录。", "This code is already registered; sign in instead."),
    ProblemUnknown => ("请从列表中选择。", "Choose one from the list."),
    ProblemCodeWrong => ("验证码不正确或已过期。", "The code is wrong or has expired."),
    NavLogin => ("登录", "Sign in"),
    NavRegister => ("注册", "Register"),
    NavAccount => ("我的账号", "My account"),
    NavLogout => ("退出", "Sign out"),
    LoginTitle => ("登录", "Sign in"),
    LoginLead => ("申报单位用统一社会信用代码登录；工作人员用分配的账号登录。", "Applicants sign in with their unified social credit code; staff with the account they were given."),
    LoginSubmit => ("登录", "Sign in"),
    NoAccountYet => ("还没有账号？", "No account yet?"),
    RegisterTitle => ("申报单位注册", "Register an applicant"),
    RegisterLead => ("示范单位、街区管理机构、行业协会（商会）、村（居）委会均可自助注册。", "Businesses, street management bodies, associations and village or community committees register themselves."),
    RegisterSubmit => ("注册并登录", "Register and sign in"),
    ChooseOne => ("请选择", "Choose…"),
    PasswordRules => ("至少10个字符，包含大写字母、小写字母、数字、符号中的至少3类，且不含账号。", "At least 10 characters, 3 of: upper case, lower case, digits, symbols; not containing the account name."),
    Working => ("正在提交…", "Sending…"),
    AccountTitle => ("我的账号", "My account"),
    AccountRole => ("角色", "Role"),
    AccountArea => ("所属区域", "Area"),
    AccountTwoFactor => ("两步验证", "Two-step verification"),
    TwoFactorOn => ("已启用", "On"),
    TwoFactorOff => ("未启用", "Off"),
    LogoutEverywhere => ("退出所有设备", "Sign out everywhere"),
    ChangePasswordTitle => ("设置新密码", "Set a new password"),
    ChangePasswordLead => ("首次登录或密码被重置后，需要先设置自己的新密码。", "After the first sign-in or a reset, set a password of your own first."),
    ChangePasswordSubmit => ("保存新密码", "Save the new password"),
    TotpEnrolTitle => ("启用两步验证", "Turn on two-step verification"),
    TotpEnrolLead => ("用身份验证器应用（如 Microsoft Authenticator、Google 身份验证器）扫描二维码，然后输入应用显示的6位数字。", "Scan the QR code with an authenticator app, then enter the 6 digits it shows."),
    TotpSecretLabel => ("无法扫码时手动输入密钥：", "If you cannot scan, enter this key:"),
    TotpVerifyTitle => ("两步验证", "Two-step verification"),
    TotpVerifyLead => ("请输入身份验证器应用显示的6位数字。", "Enter the 6 digits your authenticator app shows."),
    TotpSubmit => ("验证", "Verify"),
    NavUsers => ("用户管理", "Users"),
    NavAudit => ("审计日志", "Audit log"),
    NavOrganisations => ("申报单位", "Applicants"),
    UsersTitle => ("用户管理", "User management"),
    UsersLead => ("工作人员账号由系统管理员创建；首次登录须修改密码并启用两步验证。", "Staff accounts are created here; at first sign-in their holder sets a password and turns on two-step verification."),
    CreateStaffTitle => ("新建工作人员账号", "New staff account"),
    FieldArea => ("管辖区域", "Area of responsibility"),
    FieldTemporaryPassword => ("初始密码", "Temporary password"),
    CreateStaffSubmit => ("创建账号", "Create the account"),
    StaffCreated => ("账号已创建。请把初始密码当面或电话告知本人。", "Account created. Give the temporary password to its holder in person or by phone."),
    ResetPassword => ("重置密码", "Reset password"),
    PasswordResetDone => ("密码已重置，该账号所有登录已退出，下次登录须修改密码。", "Password reset: every session of the account ended, and a new password is required at the next sign-in."),
    ColumnAccount => ("账号", "Account"),
    ColumnName => ("名称", "Name"),
    ColumnRole => ("角色", "Role"),
    ColumnArea => ("区域", "Area"),
    ColumnMobile => ("手机", "Mobile"),
    ColumnStatus => ("状态", "Status"),
    ColumnTime => ("时间", "Time"),
    ColumnAction => ("操作", "Action"),
    ColumnTarget => ("对象", "Target"),
    ColumnSummary => ("摘要", "Summary"),
    ColumnAddress => ("来源地址", "Client address"),
    ColumnCategory => ("类别", "Category"),
    ColumnRegistered => ("注册时间", "Registered"),
    StatusActive => ("正常", "Active"),
    StatusLocked => ("已锁定", "Locked"),
    StatusDisabled => ("已停用", "Disabled"),
    StatusPendingSetup => ("待首次登录", "Awaiting first sign-in"),
    AuditTitle => ("审计日志", "Audit log"),
    AuditLead => ("所有登录、账号变更和业务操作均记入哈希链，任何修改或删除都会被发现。", "Every sign-in, account change and business action is written to a hash chain: any change or deletion is detected."),
    AuditVerify => ("校验哈希链", "Verify the chain"),
    AuditIntact => ("哈希链完整，条目数：", "The chain is intact. Entries: "),
    AuditBroken => ("哈希链被破坏，第一处问题在条目：", "The chain is BROKEN. First bad entry: "),
    FilterActor => ("操作人", "Actor"),
    FilterAction => ("操作类型", "Action"),
    FilterApply => ("筛选", "Filter"),
    NoEntries => ("没有记录。", "No entries."),
    OrganisationsTitle => ("辖区申报单位", "Applicants in my area"),
    OrganisationsLead => ("只显示您管辖区域内注册的单位。", "Only organisations registered in your area are shown."),
    OrganisationTitle => ("申报单位详情", "Applicant details"),
    ShowMobile => ("查看完整号码", "Show the full number"),
    UnmaskAudited => ("查看完整号码会记入审计日志。", "Showing the full number is written to the audit log."),
    FieldMemberUnit => ("成员单位", "Member unit"),
    MemberUnitHint => ("仅成员单位人员需要选择：其可查看本行业的申报。", "For member-unit staff only: they see applications in their sector."),
    FieldIdleMinutes => ("空闲超时（分钟）", "Idle timeout (minutes)"),
    FieldAbsoluteHours => ("登录最长有效期（小时）", "Longest session (hours)"),
    FieldLockoutThreshold => ("锁定前允许的连续失败次数", "Failures before lockout"),
    FieldLockoutWindow => ("失败计数时间窗（分钟）", "Failure counting window (minutes)"),
    FieldLockoutMinutes => ("锁定时长（分钟）", "Lockout duration (minutes)"),
    FieldAuthRate => ("每个地址每分钟登录/注册次数上限", "Sign-ins and registrations per address per minute"),
    ProblemOutOfRange => ("超出允许范围。", "Outside the allowed range."),
    ProblemNotANumber => ("请输入整数。", "Enter a whole number."),
    NavSecurity => ("安全策略", "Security policy"),
    SecurityTitle => ("安全策略", "Security policy"),
    SecurityLead => ("会话超时、登录失败锁定和频率限制；保存后所有服务器在10秒内生效，修改记入审计日志。", "Session timeouts, lockout and rate limits; all servers apply a change within 10 seconds, and it is audited."),
    SecuritySave => ("保存", "Save"),
    SecuritySaved => ("安全策略已保存。", "The security policy was saved."),
    IndicatorsTitle => ("分类评价指标", "Evaluation indicators"),
    IndicatorsLead => ("本批次各类别的评分标准：申报前可对照自查。", "How each category is scored in this batch: check yourself against it before applying."),
    IndicatorGroup => ("指标类别", "Group"),
    IndicatorText => ("评价内容", "Indicator"),
    IndicatorPoints => ("分值", "Points"),
    IndicatorEvidence => ("佐证材料", "Evidence"),
    IndicatorEvidenceNeeded => ("需上传", "Required"),
    IndicatorVeto => ("否决项", "Veto"),
    ViewIndicators => ("查看评价指标", "See the indicators"),
    NavIndicators => ("评价指标", "Indicators"),
    NavDirectory => ("示范名录", "Directory"),
    MyApplications => ("我的申报", "My applications"),
    NavTownshipReview => ("乡镇初审", "Pre-review"),
    NavBatches => ("创建批次", "Batches"),
    NavPanel => ("县级评审", "County review"),
    NavNotices => ("公示认定", "Notices"),
    NavRecognitions => ("名录与复查", "Register"),
    NavScoring => ("评审任务", "My reviews"),
    NavInbox => ("消息", "Inbox"),
    NavComplaints => ("投诉管理", "Complaints"),
    NavDashboard => ("监测", "Dashboard"),
    NavDesk => ("投诉处理", "Complaints desk"),
    NavComplain => ("我要投诉", "Complain"),
    NavApplications => ("我的申报", "Applications"),
    StartApplication => ("开始申报", "Start an application"),
    NoApplications => ("还没有申报。", "No applications yet."),
    PreparedForMerchants => ("代商户申报", "Applications prepared for merchants"),
    PrepareForMerchantLead => (
        "街区管理机构、村（社区）委员会和行业协会可以为本乡镇已注册的商户填写申报，商户登录后核对确认提交。",
        "Street bodies, village committees and associations can prepare applications for merchants registered in their township; each merchant signs in, checks and submits.",
    ),
    MerchantCreditCode => ("商户的统一社会信用代码", "The merchant's unified social credit code"),
    PrepareForMerchant => ("为该商户填写申报", "Prepare an application for this merchant"),
    MerchantCodeInvalid => ("统一社会信用代码格式不对，请对照营业执照核对。", "The credit code is malformed; check it against the licence."),
    MerchantUnknown => ("没有找到该商户：请商户先在本平台注册。", "No such merchant: the merchant must register on the platform first."),
    MerchantNotAgent => ("只有示范街区、示范乡村/社区和行业协会/商会可以代商户申报。", "Only streets, villages/communities and associations may prepare an application for a merchant."),
    MerchantOutside => ("只能为本乡镇的商户（示范单位类别）代为申报。", "You can only prepare applications for merchants (model business category) in your township."),
    ApplicationExists => ("该单位本批次已有一份未结束的申报。", "This organisation already has an open application in this batch."),
    NoPreparedApplications => ("还没有代为填写的申报。", "No applications prepared yet."),
    ResumeAt => ("继续填写：", "Resume at:"),
    PreparedBy => ("代填单位：", "Prepared by:"),
    AwaitingConfirmation => ("待商户确认", "awaiting the merchant's confirmation"),
    ErrorNetwork => ("网络连接中断，请检查网络后重试。", "The network connection failed; check it and try again."),
}

impl Msg {
    pub fn text(self, locale: Locale) -> &'static str {
        let (zh, en) = self.pair();
        locale.pick(zh, en)
    }
}

/// The current locale, shared through context.
#[derive(Clone, Copy, Debug)]
pub struct I18n(pub RwSignal<Locale>);

pub fn use_locale() -> RwSignal<Locale> {
    use_context::<I18n>()
        .map(|i| i.0)
        .unwrap_or_else(|| RwSignal::new(Locale::default()))
}

/// A reactive text: re-renders when the language changes.
pub fn t(msg: Msg) -> impl Fn() -> &'static str + Clone + Send + Sync + 'static {
    let locale = use_locale();
    move || msg.text(locale.get())
}

/// Picks one of a bilingual pair of owned strings (names stored in the database).
pub fn pick(zh: String, en: String) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let locale = use_locale();
    move || match locale.get() {
        Locale::ZhCn => zh.clone(),
        Locale::En => en.clone(),
    }
}

/// Reads the language cookie out of a `Cookie:` header value.
pub fn locale_from_cookie_header(header: &str) -> Option<Locale> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == LOCALE_COOKIE)
        .and_then(|(_, v)| Locale::parse(v))
}

/// The language of this request: the cookie if set, otherwise Chinese.
pub fn initial_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(http::header::COOKIE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(locale_from_cookie_header)
            })
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        // The server rendered with the same cookie, so hydration sees the same text.
        use wasm_bindgen::JsCast;
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
            .and_then(|d| d.cookie().ok())
            .and_then(|c| locale_from_cookie_header(&c))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Locale::default()
    }
}

/// Remembers the language in the browser for a year.
pub fn store_locale_cookie(locale: Locale) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(doc) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        {
            let _ = doc.set_cookie(&format!(
                "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                locale.tag()
            ));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = locale;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_language_cookie() {
        assert_eq!(
            locale_from_cookie_header("a=1; fx_lang=en; b=2"),
            Some(Locale::En)
        );
        assert_eq!(
            locale_from_cookie_header("fx_lang=zh-CN"),
            Some(Locale::ZhCn)
        );
        assert_eq!(locale_from_cookie_header("fx_lang=xx"), None);
        assert_eq!(locale_from_cookie_header(""), None);
    }

    #[test]
    fn no_message_is_blank_in_either_language() {
        for &m in Msg::ALL {
            let (zh, en) = m.pair();
            assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{m:?}");
            assert_ne!(zh, en, "{m:?} is not translated");
        }
    }
}
