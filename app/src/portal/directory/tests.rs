use super::*;

#[test]
fn a_directory_link_keeps_every_filter_and_leaves_out_empty_ones() {
    let ask = DirectoryAsk {
        q: "百佳 超市&".into(),
        township: "341721101".into(),
        category: "unit".into(),
        industry: String::new(),
        ended: true,
        sort: "township".into(),
        page: 1,
        per: 0,
    };
    let qs = ask.query_string(3);
    assert_eq!(
        qs,
        "q=%E7%99%BE%E4%BD%B3%20%E8%B6%85%E5%B8%82%26&township=341721101&category=unit&sort=township&ended=1&page=3"
    );
    let parsed: std::collections::HashMap<String, String> = qs
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let back = DirectoryAsk::from_query(|k| parsed.get(k).map(|v| percent_decode(v)));
    assert_eq!(
        back,
        DirectoryAsk {
            page: 3,
            ..ask.clone()
        }
    );
    assert_eq!(DirectoryAsk::default().query_string(1), "");
    assert_eq!(
        DirectoryAsk::from_query(|k| (k == "page").then(|| "-4".to_string())).page,
        1,
        "a page below 1 is the first"
    );
    let per = |v: &str| {
        let v = v.to_string();
        DirectoryAsk::from_query(move |k| (k == "per").then(|| v.clone()))
    };
    assert_eq!(per("50").page_size(), 50);
    assert_eq!(per("50").query_string(2), "per=50&page=2");
    assert_eq!(per("5000").page_size(), MAX_PAGE_SIZE);
    assert_eq!(per("x").page_size(), PAGE_SIZE);
    assert_eq!(per("20").query_string(1), "");
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn an_industry_is_named_from_its_category_list() {
    // A merchant's industries are the complaint industries, names and all.
    assert_eq!(
        industry_label(Some(Category::Unit), "catering"),
        domain::complaint::Industry::Catering.name()
    );
    assert_eq!(
        industry_label(Some(Category::Association), "catering").0,
        "餐饮"
    );
    assert_eq!(industry_label(None, "homestay").0, "民宿");
    assert_eq!(industry_label(Some(Category::Unit), "nonsense"), ("", ""));
}
