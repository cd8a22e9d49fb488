//! HTTP Content-Encoding removal with an output cap: the crawler uses it on live bodies, the
//! reader on stored ones (the WARC keeps the bytes as sent).

use std::io::Read;

/// [`decode_content`] of a body already owned: a body sent as is is returned without a copy.
pub fn decode_content_owned(
    body: Vec<u8>,
    encoding: Option<&str>,
    cap: u64,
) -> Result<Vec<u8>, String> {
    if is_identity(encoding) {
        return Ok(body);
    }
    decode_content(&body, encoding, cap)
}

/// No Content-Encoding, or `identity`: the body is the entity itself.
fn is_identity(encoding: Option<&str>) -> bool {
    encoding.is_none_or(|e| e.trim().is_empty() || e.trim().eq_ignore_ascii_case("identity"))
}

/// Removes a `Content-Encoding` (gzip, deflate) with an output cap. Errors name the cause.
pub fn decode_content(body: &[u8], encoding: Option<&str>, cap: u64) -> Result<Vec<u8>, String> {
    if is_identity(encoding) {
        return Ok(body.to_vec());
    }
    let enc = encoding.map_or(String::new(), |e| e.trim().to_ascii_lowercase());
    let mut out = Vec::new();
    let read = match enc.as_str() {
        "gzip" | "x-gzip" => flate2::read::MultiGzDecoder::new(body)
            .take(cap + 1)
            .read_to_end(&mut out),
        "deflate" => {
            // "deflate" is zlib-wrapped by the RFC, raw deflate by some servers.
            let zlib = flate2::read::ZlibDecoder::new(body)
                .take(cap + 1)
                .read_to_end(&mut out);
            if zlib.is_err() {
                out.clear();
                flate2::read::DeflateDecoder::new(body)
                    .take(cap + 1)
                    .read_to_end(&mut out)
            } else {
                zlib
            }
        }
        other => return Err(format!("unsupported content-encoding {other}")),
    };
    read.map_err(|e| format!("content-encoding: {e}"))?;
    if out.len() as u64 > cap {
        return Err(format!(
            "decompression-cap: decoded body exceeds {cap} bytes"
        ));
    }
    Ok(out)
}
