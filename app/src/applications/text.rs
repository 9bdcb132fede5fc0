//! What the wizard says about a problem, naming the fix, in both languages.

use domain::application::{FieldProblem, UploadProblem};
use domain::uscc::CreditCodeError;
use domain::Locale;

/// The message for a field's problem (without the field's name).
pub fn problem(p: FieldProblem, locale: Locale) -> String {
    let (zh, en): (String, String) = match p {
        FieldProblem::Required => ("请填写此项".into(), "Please fill this in".into()),
        FieldProblem::TooLong { max_chars } => (
            format!("最多{max_chars}个字，请精简"),
            format!("At most {max_chars} characters; please shorten it"),
        ),
        FieldProblem::CreditCode(e) => credit_code(e),
        FieldProblem::Mobile => (
            "手机号应为11位数字，以13–19开头".into(),
            "A mobile number has 11 digits starting with 13–19".into(),
        ),
        FieldProblem::NotANumber => (
            "请填写整数，如 120".into(),
            "Enter a whole number, such as 120".into(),
        ),
        FieldProblem::AboveMaximum { max } => (
            format!("不能超过{max}"),
            format!("It cannot be more than {max}"),
        ),
        FieldProblem::NotAChoice => (
            "请从选项中选择一项".into(),
            "Choose one of the options".into(),
        ),
        FieldProblem::MustAffirm => ("请勾选确认此项".into(), "Tick this box to confirm".into()),
        FieldProblem::NotInCounty => (
            "请选择东至县的乡镇".into(),
            "Choose a township of Dongzhi County".into(),
        ),
    };
    match locale {
        Locale::ZhCn => zh,
        Locale::En => en,
    }
}

fn credit_code(e: CreditCodeError) -> (String, String) {
    match e {
        CreditCodeError::Empty => ("请填写此项".into(), "Please fill this in".into()),
        CreditCodeError::WrongLength(n) => (
            format!("应为18位，现在是{n}位，请对照营业执照核对"),
            format!("It has 18 characters; this has {n}. Check it against the licence"),
        ),
        CreditCodeError::BadCharacter { position } => (
            format!("第{position}位字符无效（代码中不使用 I、O、S、V、Z）"),
            format!("Character {position} is not valid (I, O, S, V and Z are never used)"),
        ),
        CreditCodeError::CheckMismatch { .. } => (
            "校验位不符，可能有字符输错，请对照营业执照核对".into(),
            "The check character does not match: a character is probably mistyped; check it against the licence".into(),
        ),
    }
}

pub fn upload(p: UploadProblem, locale: Locale) -> String {
    let (zh, en): (String, String) = match p {
        UploadProblem::NotImageOrPdf => (
            "只能上传图片（JPG、PNG、WebP）或PDF文件；此文件的内容不是这些格式，请换一个文件".into(),
            "Only images (JPG, PNG, WebP) or PDF files can be uploaded; this file's content is none of these. Choose another file".into(),
        ),
        UploadProblem::FileTooLarge { max_mb } => (
            format!("文件太大：每个文件不超过{max_mb}MB，请压缩或拆分后再上传"),
            format!("The file is too large: at most {max_mb} MB per file. Compress or split it and upload again"),
        ),
        UploadProblem::ApplicationFull { max_mb } => (
            format!("本次申报的材料合计不能超过{max_mb}MB，请删除不需要的文件后再上传"),
            format!("An application holds at most {max_mb} MB of files; remove some you no longer need first"),
        ),
        UploadProblem::Empty => (
            "请先选择要上传的文件".into(),
            "Choose a file to upload first".into(),
        ),
        UploadProblem::ImageTooLarge { max_megapixels } => (
            format!("图片像素过多：不超过{max_megapixels}百万像素，请缩小图片尺寸后再上传"),
            format!("The picture has too many pixels: at most {max_megapixels} megapixels. Resize it and upload again"),
        ),
        UploadProblem::StorageFull => (
            "服务器存储空间已满，文件未保存；您已填写的内容不受影响，请稍后再上传或联系县市场监管局".into(),
            "The server's file storage is full and the file was not kept; what you have entered is safe. Upload again later or contact the county office".into(),
        ),
        UploadProblem::Network => (
            "上传没有完成：网络中断或服务器暂时不可用，请联网后重新上传".into(),
            "The upload did not finish: the network or the server is unavailable. Upload again once online".into(),
        ),
    };
    match locale {
        Locale::ZhCn => zh,
        Locale::En => en,
    }
}

/// Reads an upload problem back from its code in a redirect's query.
pub fn upload_from_code(
    code: &str,
    max_file_mb: u32,
    max_application_mb: u32,
) -> Option<UploadProblem> {
    Some(match code {
        "type" => UploadProblem::NotImageOrPdf,
        "size" => UploadProblem::FileTooLarge {
            max_mb: max_file_mb,
        },
        "total" => UploadProblem::ApplicationFull {
            max_mb: max_application_mb,
        },
        "empty" => UploadProblem::Empty,
        "pixels" => UploadProblem::ImageTooLarge {
            max_megapixels: domain::application::MAX_IMAGE_MEGAPIXELS,
        },
        "storage" => UploadProblem::StorageFull,
        "network" => UploadProblem::Network,
        _ => return None,
    })
}

/// A byte count for people: 1.2 MB, 340 KB.
pub fn size(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    } else {
        format!("{} KB", (b / 1024.0).ceil() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_upload_problem_round_trips_through_its_code() {
        for p in [
            UploadProblem::NotImageOrPdf,
            UploadProblem::FileTooLarge { max_mb: 10 },
            UploadProblem::ApplicationFull { max_mb: 50 },
            UploadProblem::Empty,
            UploadProblem::ImageTooLarge {
                max_megapixels: domain::application::MAX_IMAGE_MEGAPIXELS,
            },
            UploadProblem::StorageFull,
            UploadProblem::Network,
        ] {
            assert_eq!(upload_from_code(p.code(), 10, 50), Some(p));
            assert!(!upload(p, Locale::ZhCn).is_empty() && !upload(p, Locale::En).is_empty());
        }
        assert_eq!(size(1536 * 1024), "1.5 MB");
        assert_eq!(size(2000), "2 KB");
    }
}
