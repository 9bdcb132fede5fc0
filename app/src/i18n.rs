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
    SwitchLanguageLabel => ("切换到英文", "Switch to Chinese"),
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
    ErrorBadRequest => ("提交的内容无法识别，请检查后重试。", "The request could not be understood; please check it and try again."),
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
