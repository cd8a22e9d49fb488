//! HTTP Content-Encoding removal with an output cap: the crawler uses it on live bodies, the
//! reader on stored ones (the WARC keeps the bytes as sent).

use std::io::Read;

/// Removes a `Content-Encoding` (gzip, deflate) with an output cap. Errors name the cause.
pub fn decode_content(body: &[u8], encoding: Option<&str>, cap: u64) -> Result<Vec<u8>, String> {
    let enc = encoding.map(|e| e.trim().to_ascii_lowercase());
    let mut out = Vec::new();
    let read = match enc.as_deref() {
        None | Some("") | Some("identity") => return Ok(body.to_vec()),
        Some("gzip") | Some("x-gzip") => flate2::read::MultiGzDecoder::new(body)
            .take(cap + 1)
            .read_to_end(&mut out),
        Some("deflate") => {
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
        Some(other) => return Err(format!("unsupported content-encoding {other}")),
    };
    read.map_err(|e| format!("content-encoding: {e}"))?;
    if out.len() as u64 > cap {
        return Err(format!(
            "decompression-cap: decoded body exceeds {cap} bytes"
        ));
    }
    Ok(out)
}
