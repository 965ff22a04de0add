//! Puts an MP4 or QuickTime file's index (`moov`) in front of its media data
//! (`mdat`), as ffmpeg's qt-faststart does, while the baby's video is copied
//! in. Phones write the index last; a player streaming the file by ranges
//! (WebView2, WKWebView) needs the index before it can show a picture. (On
//! Linux the picture is played from a fragmented copy instead: fragment.rs.)
//!
//! Only the top level's 8- or 16-byte headers and the index itself are read
//! (at most `MAX_MOOV`); chunk offsets are patched with checked arithmetic
//! and every read is bounds-checked, so no file can make this panic. A file
//! it does not fully understand is copied exactly as it is.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// A phone's 3-minute video has an index of a few hundred KB.
pub(crate) const MAX_MOOV: u64 = 32 << 20;
const MAX_ATOMS: usize = 4096;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Atom {
    pub kind: [u8; 4],
    pub start: u64,
    pub size: u64,
}

/// The file's top-level atoms, or None if they do not tile it exactly.
pub(crate) fn top_level(file: &mut (impl Read + Seek), len: u64) -> io::Result<Option<Vec<Atom>>> {
    let mut atoms = Vec::new();
    let mut at = 0u64;
    while at < len {
        if atoms.len() >= MAX_ATOMS || len - at < 8 {
            return Ok(None);
        }
        file.seek(SeekFrom::Start(at))?;
        let mut head = [0u8; 8];
        file.read_exact(&mut head)?;
        let [a, b, c, d, k0, k1, k2, k3] = head;
        let size = match u32::from_be_bytes([a, b, c, d]) {
            0 => len - at,
            1 if len - at < 16 => return Ok(None),
            1 => {
                let mut big = [0u8; 8];
                file.read_exact(&mut big)?;
                u64::from_be_bytes(big)
            }
            n => u64::from(n),
        };
        match at.checked_add(size) {
            Some(end) if size >= 8 && end <= len => {
                atoms.push(Atom {
                    kind: [k0, k1, k2, k3],
                    start: at,
                    size,
                });
                at = end;
            }
            _ => return Ok(None),
        }
    }
    Ok(Some(atoms))
}

pub(crate) fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

pub(crate) fn be64(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    let mut out = [0u8; 8];
    out.copy_from_slice(b);
    Some(u64::from_be_bytes(out))
}

/// How deep the boxes that hold chunk offsets nest: moov/trak/mdia/minf/stbl.
/// A file nesting deeper is not a phone's (and must not exhaust the stack).
const MAX_DEPTH: u8 = 8;

/// Adds `shift(offset)` to every chunk offset (`stco`, `co64`) inside the
/// atoms in `bytes[from..to]`, descending into the boxes that hold them.
/// None when something does not add up (or the index is compressed).
fn patch(bytes: &mut [u8], from: usize, to: usize, shift: &dyn Fn(u64) -> u64) -> Option<()> {
    patch_in(bytes, from, to, shift, 0)
}

fn patch_in(
    bytes: &mut [u8],
    from: usize,
    to: usize,
    shift: &dyn Fn(u64) -> u64,
    depth: u8,
) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut at = from;
    while at < to {
        let size = match be32(bytes, at)? {
            1 => usize::try_from(be64(bytes, at.checked_add(8)?)?).ok()?,
            0 => to - at,
            n => usize::try_from(n).ok()?,
        };
        let header = if be32(bytes, at)? == 1 { 16 } else { 8 };
        let end = at.checked_add(size)?;
        if size < header || end > to {
            return None;
        }
        let kind = bytes.get(at + 4..at + 8)?;
        match kind {
            b"trak" | b"mdia" | b"minf" | b"stbl" => {
                patch_in(bytes, at + header, end, shift, depth.saturating_add(1))?
            }
            b"cmov" => return None,
            b"stco" | b"co64" => {
                let wide = kind == b"co64";
                let count = usize::try_from(be32(bytes, at + header + 4)?).ok()?;
                let entry = if wide { 8 } else { 4 };
                let first = at + header + 8;
                if first.checked_add(count.checked_mul(entry)?)? > end {
                    return None;
                }
                for i in 0..count {
                    let pos = first + i * entry;
                    if wide {
                        let moved = shift(be64(bytes, pos)?);
                        bytes
                            .get_mut(pos..pos + 8)?
                            .copy_from_slice(&moved.to_be_bytes());
                    } else {
                        let moved = u32::try_from(shift(u64::from(be32(bytes, pos)?))).ok()?;
                        bytes
                            .get_mut(pos..pos + 4)?
                            .copy_from_slice(&moved.to_be_bytes());
                    }
                }
            }
            _ => {}
        }
        at = end;
    }
    Some(())
}

/// Copies `range` of `from` to `to`.
fn copy_range(from: &mut File, to: &mut impl Write, start: u64, size: u64) -> io::Result<()> {
    from.seek(SeekFrom::Start(start))?;
    let copied = io::copy(&mut from.take(size), to)?;
    if copied != size {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shrank"));
    }
    Ok(())
}

/// The atoms in their new order, the index among them, and its patched bytes.
struct Plan {
    order: Vec<Atom>,
    moov: Atom,
    bytes: Vec<u8>,
}

/// How to write the file with its index first, when the index comes after
/// media data and can be moved; None to copy it as it is.
fn plan(file: &mut File, len: u64) -> io::Result<Option<Plan>> {
    let Some(atoms) = top_level(file, len)? else {
        return Ok(None);
    };
    let moovs: Vec<&Atom> = atoms.iter().filter(|a| &a.kind == b"moov").collect();
    let Some(first_mdat) = atoms.iter().position(|a| &a.kind == b"mdat") else {
        return Ok(None);
    };
    let [moov] = moovs.as_slice() else {
        return Ok(None);
    };
    let moov = **moov;
    if moov.start < atoms[first_mdat].start || moov.size > MAX_MOOV {
        return Ok(None);
    }
    let mut bytes = vec![0u8; usize::try_from(moov.size).unwrap_or(0)];
    file.seek(SeekFrom::Start(moov.start))?;
    file.read_exact(&mut bytes)?;
    // Everything from the first mdat to the index moves up by the index's size.
    let (from, before) = (atoms[first_mdat].start, moov.start);
    let shift = |offset: u64| {
        if (from..before).contains(&offset) {
            offset.saturating_add(moov.size)
        } else {
            offset
        }
    };
    let header = if be32(&bytes, 0) == Some(1) { 16 } else { 8 };
    let end = bytes.len();
    let patched = patch(&mut bytes, header, end, &shift);
    if patched.is_none() {
        return Ok(None);
    }
    let mut order: Vec<Atom> = atoms[..first_mdat].to_vec();
    order.push(moov);
    order.extend(atoms[first_mdat..].iter().filter(|a| a.start != moov.start));
    Ok(Some(Plan { order, moov, bytes }))
}

/// Copies the video at `source` to `target`, its index moved to the front
/// when it was at the end. Answers whether it was moved.
pub fn copy(source: &Path, target: &Path) -> io::Result<bool> {
    let mut file = File::open(source)?;
    let len = file.metadata()?.len();
    let Some(Plan { order, moov, bytes }) = plan(&mut file, len)? else {
        std::fs::copy(source, target)?;
        return Ok(false);
    };
    let mut out = BufWriter::new(File::create(target)?);
    for atom in order {
        if atom.start == moov.start {
            out.write_all(&bytes)?;
        } else {
            copy_range(&mut file, &mut out, atom.start, atom.size)?;
        }
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(true)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A box of `kind` around `body` (fragment.rs's tests build files with it too).
    pub(crate) fn atom(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    /// A chunk-offset table: version/flags, count, then the offsets.
    fn stco(offsets: &[u32]) -> Vec<u8> {
        let mut body = vec![0, 0, 0, 0];
        body.extend((offsets.len() as u32).to_be_bytes());
        for o in offsets {
            body.extend(o.to_be_bytes());
        }
        atom(b"stco", &body)
    }

    /// ftyp, an mdat holding `chunks`, then the moov pointing at them.
    fn file_index_last(chunks: &[&[u8]]) -> (Vec<u8>, Vec<u8>) {
        let ftyp = atom(b"ftyp", b"isom\0\0\x02\0");
        let mut data = Vec::new();
        let mut offsets = Vec::new();
        let mdat_body_start = ftyp.len() + 8;
        for chunk in chunks {
            offsets.push((mdat_body_start + data.len()) as u32);
            data.extend_from_slice(chunk);
        }
        let mdat = atom(b"mdat", &data);
        let stbl = atom(b"stbl", &stco(&offsets));
        let trak = atom(b"trak", &atom(b"mdia", &atom(b"minf", &stbl)));
        let moov = atom(b"moov", &[atom(b"mvhd", &[0; 100]), trak].concat());
        ([ftyp, mdat, moov].concat(), data)
    }

    fn run(bytes: &[u8]) -> (bool, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("in.mp4"), dir.path().join("out.mp4"));
        std::fs::write(&src, bytes).unwrap();
        let moved = copy(&src, &dst).unwrap();
        (moved, std::fs::read(&dst).unwrap())
    }

    /// The chunk offsets in a file whose moov is the second atom.
    fn offsets_in(out: &[u8]) -> Vec<u32> {
        let ftyp = be32(out, 0).unwrap() as usize;
        let moov = &out[ftyp..];
        assert_eq!(&moov[4..8], b"moov");
        let at = moov.windows(4).position(|w| w == b"stco").unwrap() - 4;
        let count = be32(moov, at + 12).unwrap() as usize;
        (0..count)
            .map(|i| be32(moov, at + 16 + 4 * i).unwrap())
            .collect()
    }

    #[test]
    fn the_index_moves_in_front_and_every_chunk_is_still_found() {
        let chunks: [&[u8]; 3] = [b"first chunk", b"second", b"the third one"];
        let (file, _) = file_index_last(&chunks);
        let (moved, out) = run(&file);
        assert!(moved);
        assert_eq!(out.len(), file.len(), "nothing added or lost");
        for (offset, chunk) in offsets_in(&out).iter().zip(chunks) {
            let at = *offset as usize;
            assert_eq!(&out[at..at + chunk.len()], chunk);
        }
        // Moved once, it stays: the second copy is the same bytes.
        let (again, same) = run(&out);
        assert!(!again);
        assert_eq!(same, out);
    }

    #[test]
    fn what_it_does_not_understand_is_copied_as_it_is() {
        let (file, _) = file_index_last(&[b"chunk"]);
        let mut cut = file.clone();
        cut.truncate(file.len() - 3);
        let mut bad_count = file.clone();
        // The stco's count, far beyond its box.
        let at = bad_count.windows(4).position(|w| w == b"stco").unwrap() + 8;
        bad_count[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        let mut compressed = file.clone();
        let at = compressed.windows(4).position(|w| w == b"trak").unwrap();
        compressed[at..at + 4].copy_from_slice(b"cmov");
        // Boxes nested 100,000 deep (built front to back): refused, not a
        // stack overflow, which would abort the app.
        let depth = 100_000usize;
        let mut deep = Vec::with_capacity(8 * depth + 16);
        for k in (1..=depth).rev() {
            deep.extend(((16 + 8 * k) as u32).to_be_bytes());
            deep.extend(b"trak");
        }
        deep.extend(stco(&[]));
        let ftyp = atom(b"ftyp", b"isom\0\0\x02\0");
        let nested = [ftyp, atom(b"mdat", b"chunk"), atom(b"moov", &deep)].concat();
        // An extended size in a header cut short.
        let mut short_big = atom(b"ftyp", b"isom");
        short_big.extend_from_slice(&[0, 0, 0, 1, b'm', b'd', b'a', b't', 0, 0]);
        for (what, bytes) in [
            ("nested 100,000 deep", nested),
            ("an extended size cut short", short_big),
            ("cut short", cut),
            ("an impossible count", bad_count),
            ("a compressed index", compressed),
            ("not a video", b"hello, this is text".to_vec()),
            ("empty", Vec::new()),
        ] {
            let (moved, out) = run(&bytes);
            assert!(!moved, "{what}");
            assert_eq!(out, bytes, "{what}: copied exactly");
        }
    }
}
