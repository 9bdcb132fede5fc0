//! Evidence files: upload (kept by SHA-256), removal, and serving them to those who
//! may see their application.

use super::*;
use crate::usecases::evidence::Kept;

#[derive(Serialize)]
pub(super) struct UploadReply {
    file: EvidenceView,
}

#[tracing::instrument(skip_all, fields(application = id))]
pub(super) async fn upload(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let back = format!("/apply/{id}/evidence");
    let Some(Extension(user)) = user else {
        return error_response(AppError::SignInRequired, &headers, &back);
    };
    let actor = crate::usecases::Actor::new(user, client_addr(&addr));
    let upload = match read_upload(&state.store, multipart).await {
        Ok(upload) => upload,
        Err(e) => return error_response(e, &headers, &back),
    };
    let slot = upload.field("slot");
    let kept =
        crate::usecases::evidence::upload(&state.store, &state.objects, &actor, id, &slot, upload)
            .await;
    match kept {
        Ok(Kept::Kept(file)) if wants_json(&headers) => Json(UploadReply { file }).into_response(),
        Ok(Kept::Kept(file)) => {
            Redirect::to(&format!("{back}?uploaded={}#slot-{}", file.id, file.slot)).into_response()
        }
        Ok(Kept::Refused(problem)) => {
            if wants_json(&headers) {
                let status = if problem == UploadProblem::StorageFull {
                    StatusCode::INSUFFICIENT_STORAGE
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                (status, Json(problem)).into_response()
            } else {
                Redirect::to(&format!(
                    "{back}?upload_error={}&slot={slot}#slot-{slot}",
                    problem.code()
                ))
                .into_response()
            }
        }
        Err(e) => error_response(e, &headers, &back),
    }
}

/// A multipart form as read: its text fields and at most one file (name, the bytes kept
/// up to the per-file limit, the full size sent).
#[derive(Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub file: Option<(String, Vec<u8>, u64)>,
    /// The body broke off or went past the HTTP limit.
    pub broken: bool,
    pub(crate) max_file_mb: u32,
}

impl Upload {
    /// One file sent as a form would send it, under the county's per-file limit: what
    /// the operator's tools upload through the use cases.
    pub async fn of_file(store: &Store, name: &str, bytes: Vec<u8>) -> Result<Upload, AppError> {
        let size = bytes.len() as u64;
        Ok(Upload {
            fields: Vec::new(),
            file: Some((name.to_string(), bytes, size)),
            broken: false,
            max_file_mb: setting_u32(store, MAX_FILE_MB).await?,
        })
    }

    /// The size of the attached file as sent (0 without one).
    pub fn size(&self) -> u64 {
        self.file.as_ref().map_or(0, |(_, _, size)| *size)
    }

    pub fn field(&self, key: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
}

/// Reads a multipart form with one file field named `file` (an empty file input counts as none).
pub async fn read_upload(store: &Store, mut multipart: Multipart) -> Result<Upload, AppError> {
    let max_file = setting_u32(store, MAX_FILE_MB).await?;
    let limit = u64::from(max_file) * form::MB;
    let mut out = Upload {
        fields: Vec::new(),
        file: None,
        broken: false,
        max_file_mb: max_file,
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                out.broken = true;
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = upload_file_name(field.file_name().unwrap_or_default());
            let mut bytes = Vec::new();
            let mut size = 0u64;
            let mut field = field;
            // Read to the end (so the browser gets our answer), keeping no more than the limit.
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        size += chunk.len() as u64;
                        if size <= limit {
                            bytes.extend_from_slice(&chunk);
                        }
                    }
                    Ok(None) => break,
                    Err(_) => {
                        out.broken = true;
                        break;
                    }
                }
            }
            if size > 0 {
                out.file = Some((file_name, bytes, size));
            }
        } else if !name.is_empty() {
            let value = field.text().await.unwrap_or_default();
            out.fields.push((name, value.chars().take(4000).collect()));
        }
    }
    Ok(out)
}

/// The name a file is shown under: the last part of whatever path the browser sent
/// (`../../etc/passwd.png` is `passwd.png`), without control characters, at most 120
/// characters. Files are stored under their hash, so the name is only ever shown.
pub fn upload_file_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(120).collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    if clean.is_empty() {
        "file".to_string()
    } else {
        clean.to_string()
    }
}

#[derive(serde::Deserialize)]
pub struct RemoveForm {
    file: i64,
}

#[tracing::instrument(skip_all, fields(application = id))]
pub(super) async fn remove_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Form(f): Form<RemoveForm>,
) -> Response {
    let back = format!("/apply/{id}/evidence");
    let Some(Extension(user)) = user else {
        return error_response(AppError::SignInRequired, &headers, &back);
    };
    let actor = crate::usecases::Actor::new(user, client_addr(&addr));
    match crate::usecases::evidence::remove(&state.store, &actor, id, f.file).await {
        Ok(()) if wants_json(&headers) => StatusCode::NO_CONTENT.into_response(),
        Ok(()) => Redirect::to(&back).into_response(),
        Err(e) => error_response(e, &headers, &back),
    }
}

/// Serves an evidence file to those who may see its application, never to anyone else.
#[tracing::instrument(skip_all, fields(file = id))]
pub(super) async fn serve_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
) -> Response {
    let Some(Extension(user)) = user else {
        return (StatusCode::UNAUTHORIZED, "sign in · 请先登录").into_response();
    };
    let result = async {
        let file = state
            .store
            .evidence_file(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (_, viewer) = visible(&state.store, &user, file.application_id).await?;
        // Who read which evidence, when: staff downloads are audited.
        if viewer == Viewer::Staff {
            audit(
                &state.store,
                &user,
                client_addr(&addr),
                "evidence.download",
                format!("application:{}", file.application_id),
                format!("file {id}"),
            )
            .await?;
        }
        let bytes = state
            .objects
            .get(&file.object_key)
            .await
            .map_err(AppError::internal)?
            .ok_or_else(|| AppError::internal(format!("object {} missing", file.object_key)))?;
        Ok::<_, AppError>((file, bytes))
    }
    .await;
    match result {
        Ok((file, bytes)) => {
            // An image opened on its own runs nothing and reaches nothing, whatever else
            // its bytes hold (a polyglot). PDFs keep the browser's own viewer, which a
            // sandbox would switch off.
            let is_image = file.media_type.starts_with("image/");
            let mut res = (
                [
                    (header::CONTENT_TYPE, file.media_type),
                    (header::CACHE_CONTROL, "private, no-store".to_string()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                    (header::CONTENT_DISPOSITION, "inline".to_string()),
                ],
                bytes,
            )
                .into_response();
            if is_image {
                res.headers_mut().insert(
                    header::CONTENT_SECURITY_POLICY,
                    header::HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
                );
            }
            res
        }
        Err(e) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND),
            "not found · 找不到",
        )
            .into_response(),
    }
}
