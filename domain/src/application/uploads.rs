//! Evidence slots and the rules an uploaded file must meet (kind by its bytes, size,
//! image dimensions).

use super::*;

/// The evidence slot for the business licence or registration certificate.
pub const LICENCE_SLOT: &str = "licence";
/// The evidence slot for anything else (permits, honours).
pub const OTHER_SLOT: &str = "other";

/// Evidence slots: the licence, one per indicator item that needs evidence, other.
pub fn evidence_slots(items: &[ItemRule]) -> Vec<String> {
    let mut slots = vec![LICENCE_SLOT.to_string()];
    slots.extend(
        items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.evidence_required)
            .map(|(n, _)| item_field(n)),
    );
    slots.push(OTHER_SLOT.to_string());
    slots
}

/// Kinds of file accepted as evidence, recognised by their content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileKind {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Webp => "image/webp",
            FileKind::Pdf => "application/pdf",
        }
    }

    pub fn is_image(self) -> bool {
        self != FileKind::Pdf
    }

    /// Recognises a file by its first bytes; whatever its name or declared type says.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileKind::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(FileKind::Webp)
        } else if bytes.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else {
            None
        }
    }
}

/// The most pixels an uploaded image may have. Phones take photos of up to about
/// 108 megapixels; a picture declaring more is a decompression bomb that would take
/// gigabytes to show, in a reviewer's browser or anywhere else.
pub const MAX_IMAGE_MEGAPIXELS: u32 = 120;

/// Width and height of an image as its header declares them, without decoding it.
/// None when the header cannot be read: a file that starts like an image but has no
/// readable header is not taken as one.
pub fn image_size(kind: FileKind, bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |at: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes(
            bytes.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let le16 = |at: usize| -> Option<u32> {
        Some(u32::from(u16::from_le_bytes(
            bytes.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let le24 = |at: usize| -> Option<u32> {
        let b = bytes.get(at..at + 3)?;
        Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
    };
    let size = match kind {
        FileKind::Pdf => return None,
        FileKind::Png => {
            // The first chunk is IHDR: width and height as big-endian u32.
            if bytes.get(12..16)? != b"IHDR" {
                return None;
            }
            let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
            let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
            (w, h)
        }
        FileKind::Jpeg => {
            // Walk the segments to the first start-of-frame marker.
            let mut at = 2;
            loop {
                if *bytes.get(at)? != 0xFF {
                    return None;
                }
                let marker = *bytes.get(at + 1)?;
                match marker {
                    // Fill bytes before a marker.
                    0xFF => at += 1,
                    // Markers without a length.
                    0x01 | 0xD0..=0xD7 => at += 2,
                    // Start of scan or end of image before any frame header.
                    0xD9 | 0xDA => return None,
                    0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                        break (be16(at + 7)?, be16(at + 5)?);
                    }
                    _ => at += 2 + usize::try_from(be16(at + 2)?).ok()?,
                }
            }
        }
        FileKind::Webp => match bytes.get(12..16)? {
            b"VP8 " => {
                // A key frame: start code 9D 01 2A, then 14-bit width and height.
                if bytes.get(23..26)? != [0x9D, 0x01, 0x2A] {
                    return None;
                }
                (le16(26)? & 0x3FFF, le16(28)? & 0x3FFF)
            }
            b"VP8L" => {
                if *bytes.get(20)? != 0x2F {
                    return None;
                }
                let bits = u32::from_le_bytes(bytes.get(21..25)?.try_into().ok()?);
                ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
            }
            b"VP8X" => (le24(24)? + 1, le24(27)? + 1),
            _ => return None,
        },
    };
    (size.0 > 0 && size.1 > 0).then_some(size)
}

/// Why an upload was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UploadProblem {
    /// Not an image or PDF by its content.
    NotImageOrPdf,
    FileTooLarge {
        max_mb: u32,
    },
    ApplicationFull {
        max_mb: u32,
    },
    Empty,
    /// An image whose declared size is beyond `MAX_IMAGE_MEGAPIXELS`.
    ImageTooLarge {
        max_megapixels: u32,
    },
    /// The server's storage for files is full; nothing was kept.
    StorageFull,
    /// The upload did not reach the server (seen only in the browser).
    Network,
}

impl UploadProblem {
    pub fn code(self) -> &'static str {
        match self {
            UploadProblem::NotImageOrPdf => "type",
            UploadProblem::FileTooLarge { .. } => "size",
            UploadProblem::ApplicationFull { .. } => "total",
            UploadProblem::Empty => "empty",
            UploadProblem::ImageTooLarge { .. } => "pixels",
            UploadProblem::StorageFull => "storage",
            UploadProblem::Network => "network",
        }
    }
}

/// Checks an upload against the limits: `bytes` are the file's bytes (`size` in all),
/// `used` bytes are already stored for the application.
pub fn check_upload(
    bytes: &[u8],
    size: u64,
    used: u64,
    max_file_mb: u32,
    max_application_mb: u32,
) -> Result<FileKind, UploadProblem> {
    if size == 0 {
        return Err(UploadProblem::Empty);
    }
    if size > u64::from(max_file_mb) * MB {
        return Err(UploadProblem::FileTooLarge {
            max_mb: max_file_mb,
        });
    }
    if used + size > u64::from(max_application_mb) * MB {
        return Err(UploadProblem::ApplicationFull {
            max_mb: max_application_mb,
        });
    }
    let kind = FileKind::sniff(bytes).ok_or(UploadProblem::NotImageOrPdf)?;
    if kind.is_image() {
        let (w, h) = image_size(kind, bytes).ok_or(UploadProblem::NotImageOrPdf)?;
        if u64::from(w) * u64::from(h) > u64::from(MAX_IMAGE_MEGAPIXELS) * 1_000_000 {
            return Err(UploadProblem::ImageTooLarge {
                max_megapixels: MAX_IMAGE_MEGAPIXELS,
            });
        }
    }
    Ok(kind)
}

pub const MB: u64 = 1024 * 1024;
