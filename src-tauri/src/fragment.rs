//! The baby's video as a fragmented MP4 of its picture alone, for WebKitGTK's
//! Media Source player. WebKitGTK cannot play the `media:` scheme, and from a
//! `blob:` URL its download buffering feeds the decoders wrong bytes above
//! about 2 Mbit/s (docs/PACKAGING.md), which is every phone video. Its Media
//! Source path plays them, but only fragmented: an init segment (`moov` with
//! `mvex`), then a `moof` + `mdat` per group of pictures.
//!
//! The picture is shown muted, so the sound track is left out. Written by
//! hand, like faststart.rs, rather than with the `mp4` or `mp4-atom` crates:
//! both have panics or runaway allocations on malformed files in their
//! trackers (signalapp/mp4san#4, kixelated/mp4-atom#179), and this runs in
//! the app's process. Every read is bounds-checked and every sum checked, so
//! no file can make it panic; a file it does not understand gives `None`.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use crate::faststart::{be32, be64, top_level, MAX_MOOV};

/// A 3-minute phone video at 60 frames a second has 10,800 pictures.
const MAX_SAMPLES: usize = 200_000;
/// How deep the boxes nest on the way to the sample tables.
const MAX_DEPTH: u8 = 8;

/// A box inside the index: its type, and where its body lies in `bytes`.
#[derive(Debug, Clone, Copy)]
struct Child<'a> {
    kind: &'a [u8],
    whole: &'a [u8],
    body: &'a [u8],
}

/// The boxes directly inside `bytes`, or None if they do not tile it.
fn children(bytes: &[u8]) -> Option<Vec<Child<'_>>> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at < bytes.len() {
        let small = be32(bytes, at)?;
        let (size, header) = match small {
            1 => (usize::try_from(be64(bytes, at.checked_add(8)?)?).ok()?, 16),
            0 => (bytes.len() - at, 8),
            n => (usize::try_from(n).ok()?, 8),
        };
        let end = at.checked_add(size)?;
        if size < header || end > bytes.len() || out.len() >= 4096 {
            return None;
        }
        out.push(Child {
            kind: bytes.get(at + 4..at + 8)?,
            whole: bytes.get(at..end)?,
            body: bytes.get(at + header..end)?,
        });
        at = end;
    }
    Some(out)
}

fn find<'a>(boxes: &[Child<'a>], kind: &[u8; 4]) -> Option<Child<'a>> {
    boxes.iter().copied().find(|c| c.kind == kind)
}

/// The body of the box at `path` below `bytes`.
fn dig<'a>(bytes: &'a [u8], path: &[&[u8; 4]]) -> Option<Child<'a>> {
    if path.len() > usize::from(MAX_DEPTH) {
        return None;
    }
    let (first, rest) = path.split_first()?;
    let child = find(&children(bytes)?, first)?;
    if rest.is_empty() {
        Some(child)
    } else {
        dig(child.body, rest)
    }
}

/// One picture: where its bytes are in the file, and its timing.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Sample {
    offset: u64,
    size: u32,
    duration: u32,
    /// Composition offset: when it is shown, after it is decoded.
    shift: i64,
    sync: bool,
}

/// A full box's entry count and its entries (after version, flags, count).
fn table(body: &[u8], entry: usize) -> Option<(u32, &[u8])> {
    let count = be32(body, 4)?;
    let entries = body.get(8..)?;
    let need = usize::try_from(count).ok()?.checked_mul(entry)?;
    Some((count, entries.get(..need)?))
}

/// The picture track's samples, from its `stbl`.
fn samples(stbl: &[u8]) -> Option<Vec<Sample>> {
    let boxes = children(stbl)?;
    let stsz = find(&boxes, b"stsz")?.body;
    let fixed = be32(stsz, 4)?;
    let count = usize::try_from(be32(stsz, 8)?).ok()?;
    if count == 0 || count > MAX_SAMPLES {
        return None;
    }
    let sizes: Vec<u32> = if fixed != 0 {
        vec![fixed; count]
    } else {
        let list = stsz.get(12..12 + count.checked_mul(4)?)?;
        list.chunks_exact(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    };

    // Durations, run-length coded.
    let (_, stts) = table(find(&boxes, b"stts")?.body, 8)?;
    let mut durations = Vec::with_capacity(count);
    for run in stts.chunks_exact(8) {
        let n = usize::try_from(be32(run, 0)?).ok()?;
        if n > count - durations.len() {
            return None;
        }
        durations.extend(std::iter::repeat_n(be32(run, 4)?, n));
    }
    if durations.len() != count {
        return None;
    }

    // Composition offsets (B-frames), if any. Read as signed in every
    // version, as ffmpeg does: QuickTime writes negative ones in version 0.
    let mut shifts = vec![0i64; count];
    if let Some(ctts) = find(&boxes, b"ctts") {
        let (_, runs) = table(ctts.body, 8)?;
        let mut at = 0usize;
        for run in runs.chunks_exact(8) {
            let n = usize::try_from(be32(run, 0)?).ok()?;
            let value = i64::from(be32(run, 4)? as i32);
            for slot in shifts.get_mut(at..at.checked_add(n)?)? {
                *slot = value;
            }
            at += n;
        }
    }

    // Which are key pictures: all of them when there is no `stss`.
    let mut sync = vec![true; count];
    if let Some(stss) = find(&boxes, b"stss") {
        sync.fill(false);
        let (_, list) = table(stss.body, 4)?;
        for n in list.chunks_exact(4) {
            let index = usize::try_from(be32(n, 0)?).ok()?.checked_sub(1)?;
            *sync.get_mut(index)? = true;
        }
    }

    // Where each one is: chunks from `stco`/`co64`, samples per chunk from `stsc`.
    let chunks: Vec<u64> = if let Some(stco) = find(&boxes, b"stco") {
        let (_, list) = table(stco.body, 4)?;
        list.chunks_exact(4)
            .map(|b| u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
            .collect()
    } else {
        let (_, list) = table(find(&boxes, b"co64")?.body, 8)?;
        list.chunks_exact(8).filter_map(|b| be64(b, 0)).collect()
    };
    let (_, stsc) = table(find(&boxes, b"stsc")?.body, 12)?;
    let runs: Vec<(usize, usize)> = stsc
        .chunks_exact(12)
        .map(|e| {
            Some((
                usize::try_from(be32(e, 0)?).ok()?,
                usize::try_from(be32(e, 4)?).ok()?,
            ))
        })
        .collect::<Option<_>>()?;
    let mut out = Vec::with_capacity(count);
    let mut run = 0usize;
    for (chunk, &start) in chunks.iter().enumerate() {
        let number = chunk + 1;
        // Runs are in chunk order: one pass, however the table is made.
        while runs.get(run + 1).is_some_and(|(first, _)| *first <= number) {
            run += 1;
        }
        let per_chunk = runs.get(run).filter(|(first, _)| *first <= number)?.1;
        let mut offset = start;
        for _ in 0..per_chunk {
            let i = out.len();
            if i == count {
                break;
            }
            out.push(Sample {
                offset,
                size: sizes[i],
                duration: durations[i],
                shift: shifts[i],
                sync: sync[i],
            });
            offset = offset.checked_add(u64::from(sizes[i]))?;
        }
    }
    (out.len() == count).then_some(out)
}

/// A box of `kind` around `body`.
fn boxed(kind: &[u8; 4], parts: &[&[u8]]) -> Vec<u8> {
    let size: usize = 8 + parts.iter().map(|p| p.len()).sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&(size as u32).to_be_bytes());
    out.extend_from_slice(kind);
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

/// A full box's version and flags.
fn full(version: u8, flags: u32) -> [u8; 4] {
    let f = flags.to_be_bytes();
    [version, f[1], f[2], f[3]]
}

/// The init segment: the picture track's description, with no samples.
/// (The edit list is left out: it is in the movie's timescale, not this
/// one, and WebKitGTK's Media Source ignores it.) `duration` is the track's
/// length in its own timescale, so the page knows it before the last append.
fn init_segment(trak: &[u8], timescale: u32, duration: u32) -> Option<Vec<u8>> {
    let trak_boxes = children(trak)?;
    let mut tkhd = find(&trak_boxes, b"tkhd")?.whole.to_vec();
    // The track becomes track 1 (its id follows two times, 4 or 8 bytes each).
    let id_at = if tkhd.get(8) == Some(&1) {
        8 + 4 + 16
    } else {
        8 + 4 + 8
    };
    tkhd.get_mut(id_at..id_at + 4)?
        .copy_from_slice(&1u32.to_be_bytes());
    let mdia = find(&trak_boxes, b"mdia")?.body;
    let mdia_boxes = children(mdia)?;
    let minf = find(&mdia_boxes, b"minf")?.body;
    let minf_boxes = children(minf)?;
    let stbl = find(&minf_boxes, b"stbl")?.body;
    let stsd = find(&children(stbl)?, b"stsd")?.whole;
    let empty = [0u8; 8]; // version, flags and a zero count
    let new_stbl = boxed(
        b"stbl",
        &[
            stsd,
            &boxed(b"stts", &[&empty]),
            &boxed(b"stsc", &[&empty]),
            &boxed(b"stsz", &[&empty, &[0; 4]]),
            &boxed(b"stco", &[&empty]),
        ],
    );
    let mut minf_parts: Vec<&[u8]> = minf_boxes
        .iter()
        .filter(|c| c.kind != b"stbl")
        .map(|c| c.whole)
        .collect();
    minf_parts.push(&new_stbl);
    let new_minf = boxed(b"minf", &minf_parts);
    let mdia_parts: Vec<&[u8]> = mdia_boxes
        .iter()
        .filter(|c| c.kind == b"mdhd" || c.kind == b"hdlr")
        .map(|c| c.whole)
        .chain(std::iter::once(new_minf.as_slice()))
        .collect();
    let new_mdia = boxed(b"mdia", &mdia_parts);

    let unity: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];
    let mut mvhd = Vec::with_capacity(100);
    mvhd.extend_from_slice(&full(0, 0));
    mvhd.extend_from_slice(&[0; 8]); // created, modified
    mvhd.extend_from_slice(&timescale.to_be_bytes());
    mvhd.extend_from_slice(&duration.to_be_bytes());
    mvhd.extend_from_slice(&0x0001_0000u32.to_be_bytes()); // rate 1.0
    mvhd.extend_from_slice(&0x0100u16.to_be_bytes()); // volume 1.0
    mvhd.extend_from_slice(&[0; 10]);
    unity
        .iter()
        .for_each(|v| mvhd.extend_from_slice(&v.to_be_bytes()));
    mvhd.extend_from_slice(&[0; 24]);
    mvhd.extend_from_slice(&2u32.to_be_bytes()); // next track id

    let mut trex = Vec::with_capacity(24);
    trex.extend_from_slice(&full(0, 0));
    for v in [1u32, 1, 0, 0, 0] {
        trex.extend_from_slice(&v.to_be_bytes()); // track 1, description 1, no defaults
    }
    let moov = boxed(
        b"moov",
        &[
            &boxed(b"mvhd", &[&mvhd]),
            &boxed(b"trak", &[&tkhd, &new_mdia]),
            &boxed(b"mvex", &[&boxed(b"trex", &[&trex])]),
        ],
    );
    let ftyp = boxed(
        b"ftyp",
        &[b"isom", &0x200u32.to_be_bytes(), b"isom", b"iso6", b"mp41"],
    );
    Some([ftyp, moov].concat())
}

/// One `moof` for `samples`, which start at decode time `time`; its `trun`
/// points just past the `mdat` header that follows it.
fn moof(sequence: u32, time: u64, samples: &[Sample]) -> Vec<u8> {
    // trun: data offset, and per sample its duration, size, flags and offset.
    let mut trun = Vec::with_capacity(12 + samples.len() * 16);
    trun.extend_from_slice(&full(1, 0x000f01));
    trun.extend_from_slice(&(samples.len() as u32).to_be_bytes());
    trun.extend_from_slice(&[0; 4]); // data offset, patched below
    for s in samples {
        trun.extend_from_slice(&s.duration.to_be_bytes());
        trun.extend_from_slice(&s.size.to_be_bytes());
        let flags: u32 = if s.sync { 0x0200_0000 } else { 0x0101_0000 };
        trun.extend_from_slice(&flags.to_be_bytes());
        trun.extend_from_slice(
            &(s.shift.clamp(i32::MIN.into(), i32::MAX.into()) as i32).to_be_bytes(),
        );
    }
    let mut tfhd = full(0, 0x02_0000).to_vec(); // default-base-is-moof
    tfhd.extend_from_slice(&1u32.to_be_bytes());
    let mut tfdt = full(1, 0).to_vec();
    tfdt.extend_from_slice(&time.to_be_bytes());
    let mut mfhd = full(0, 0).to_vec();
    mfhd.extend_from_slice(&sequence.to_be_bytes());
    let traf_len = 8 + (8 + tfhd.len()) + (8 + tfdt.len()) + (8 + trun.len());
    let moof_len = 8 + (8 + mfhd.len()) + traf_len;
    let data_offset = (moof_len + 8) as u32;
    trun[8..12].copy_from_slice(&data_offset.to_be_bytes());
    boxed(
        b"moof",
        &[
            &boxed(b"mfhd", &[&mfhd]),
            &boxed(
                b"traf",
                &[
                    &boxed(b"tfhd", &[&tfhd]),
                    &boxed(b"tfdt", &[&tfdt]),
                    &boxed(b"trun", &[&trun]),
                ],
            ),
        ],
    )
}

/// The picture track's `trak` and its timescale.
fn picture_track(moov: &[u8]) -> Option<(&[u8], u32)> {
    children(moov)?
        .into_iter()
        .filter(|c| c.kind == b"trak")
        .find_map(|trak| {
            let hdlr = dig(trak.body, &[b"mdia", b"hdlr"])?.body;
            if hdlr.get(8..12)? != b"vide" {
                return None;
            }
            let mdhd = dig(trak.body, &[b"mdia", b"mdhd"])?.body;
            let timescale = if mdhd.first() == Some(&1) {
                be32(mdhd, 20)?
            } else {
                be32(mdhd, 12)?
            };
            (timescale > 0).then_some((trak.body, timescale))
        })
}

/// The length of the MP4 or QuickTime file at `path` in milliseconds, from
/// its `mvhd`, or None if it has none this can read.
pub fn duration_ms(path: &Path) -> io::Result<Option<f64>> {
    let Some(index) = read_index(path)? else {
        return Ok(None);
    };
    let mvhd = dig(moov_body(&index), &[b"mvhd"]);
    let found = mvhd.and_then(|m| {
        let (timescale, duration) = if m.body.first() == Some(&1) {
            (be32(m.body, 20)?, be64(m.body, 24)?)
        } else {
            (be32(m.body, 12)?, u64::from(be32(m.body, 16)?))
        };
        (timescale > 0).then(|| duration as f64 * 1000.0 / f64::from(timescale))
    });
    Ok(found)
}

/// The body of a `moov` read whole, after its 8- or 16-byte header.
fn moov_body(index: &[u8]) -> &[u8] {
    let header = if be32(index, 0) == Some(1) { 16 } else { 8 };
    index.get(header..).unwrap_or_default()
}

/// The file's `moov`, whole, if its top level tiles it and the index is not too large.
fn read_index(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let Some(atoms) = top_level(&mut file, len)? else {
        return Ok(None);
    };
    let Some(moov) = atoms
        .iter()
        .find(|a| &a.kind == b"moov" && a.size <= MAX_MOOV)
    else {
        return Ok(None);
    };
    let mut index = vec![0u8; moov.size as usize];
    file.seek(SeekFrom::Start(moov.start))?;
    file.read_exact(&mut index)?;
    Ok(Some(index))
}

/// The video at `path` as a fragmented MP4 of its picture track, or None
/// if it is not an MP4/QuickTime file this understands.
pub fn fragmented(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let Some(index) = read_index(path)? else {
        return Ok(None);
    };
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let Some((trak, timescale)) = picture_track(moov_body(&index)) else {
        return Ok(None);
    };
    let found = dig(trak, &[b"mdia", b"minf", b"stbl"]).and_then(|stbl| samples(stbl.body));
    let Some(samples) = found else {
        return Ok(None);
    };
    let length: u64 = samples.iter().map(|s| u64::from(s.duration)).sum();
    let Some(init) = init_segment(trak, timescale, u32::try_from(length).unwrap_or(u32::MAX))
    else {
        return Ok(None);
    };
    // Every picture must lie inside the file.
    let inside = samples.iter().all(|s| {
        s.offset
            .checked_add(u64::from(s.size))
            .is_some_and(|end| end <= len)
    });
    if !inside {
        return Ok(None);
    }
    // Pictures do not overlap, so together they are no larger than the file:
    // a made-up index repeating one large range must not ask for more.
    let total: u64 = samples.iter().map(|s| u64::from(s.size)).sum();
    if total > len {
        return Ok(None);
    }
    let mut out =
        Vec::with_capacity(init.len() + usize::try_from(total).unwrap_or(0) + samples.len() * 24);
    out.extend_from_slice(&init);
    let mut time = 0u64;
    let mut sequence = 1u32;
    // A fragment per group of pictures: from one key picture to the next.
    let mut groups = Vec::new();
    let mut from = 0;
    for i in 1..=samples.len() {
        if i == samples.len() || samples[i].sync {
            groups.push(&samples[from..i]);
            from = i;
        }
    }
    for group in groups {
        out.extend_from_slice(&moof(sequence, time, group));
        let bytes: u64 = group.iter().map(|s| u64::from(s.size)).sum();
        let Ok(mdat_len) = u32::try_from(bytes + 8) else {
            return Ok(None);
        };
        out.extend_from_slice(&mdat_len.to_be_bytes());
        out.extend_from_slice(b"mdat");
        for s in group {
            file.seek(SeekFrom::Start(s.offset))?;
            let at = out.len();
            out.resize(at + s.size as usize, 0);
            file.read_exact(&mut out[at..])?;
        }
        time += group.iter().map(|s| u64::from(s.duration)).sum::<u64>();
        sequence += 1;
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faststart::tests::atom;

    /// A full box: version and flags 0, then `words` as big-endian u32s.
    fn table(kind: &[u8; 4], words: &[u32]) -> Vec<u8> {
        let mut body = vec![0u8; 4];
        words.iter().for_each(|w| body.extend(w.to_be_bytes()));
        atom(kind, &body)
    }

    /// A track of `handler` whose samples sit at `offsets`, two per chunk.
    fn trak(
        handler: &[u8; 4],
        sizes: &[u32],
        offsets: &[u32],
        sync: &[u32],
        shifts: Option<&[u32]>,
    ) -> Vec<u8> {
        let n = sizes.len() as u32;
        let mut stbl = atom(
            b"stsd",
            b"\0\0\0\0\0\0\0\x01\0\0\0\x10avc1\0\0\0\0\0\0\0\x01",
        );
        stbl.extend(table(b"stts", &[1, n, 512]));
        if let Some(shifts) = shifts {
            let mut words = vec![n];
            shifts.iter().for_each(|s| words.extend([1, *s]));
            stbl.extend(table(b"ctts", &words));
        }
        stbl.extend(table(b"stss", &[&[sync.len() as u32][..], sync].concat()));
        stbl.extend(table(b"stsc", &[1, 1, 2, 1]));
        stbl.extend(table(b"stsz", &[&[0, n][..], sizes].concat()));
        stbl.extend(table(
            b"stco",
            &[&[offsets.len() as u32][..], offsets].concat(),
        ));
        let minf = atom(
            b"minf",
            &[table(b"vmhd", &[0, 0]), atom(b"stbl", &stbl)].concat(),
        );
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(handler);
        hdlr.extend([0u8; 13]);
        let mdhd = table(b"mdhd", &[0, 0, 15360, n * 512, 0]);
        let mdia = atom(b"mdia", &[mdhd, atom(b"hdlr", &hdlr), minf].concat());
        let tkhd = table(
            b"tkhd",
            &[0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        );
        atom(b"trak", &[tkhd, mdia].concat())
    }

    /// A file with a sound track and a picture track of `pictures`, each
    /// sample `n` bytes of the value `n`; key pictures at `sync` (1-based).
    fn file(pictures: u32, sync: &[u32], shifts: Option<&[u32]>) -> (Vec<u8>, Vec<u8>) {
        let ftyp = atom(b"ftyp", b"isom\0\0\x02\0");
        let start = ftyp.len() as u32 + 8;
        let sizes: Vec<u32> = (1..=pictures).map(|n| 10 + n).collect();
        let data: Vec<u8> = sizes
            .iter()
            .flat_map(|&s| vec![s as u8; s as usize])
            .collect();
        let mut offsets = Vec::new();
        let mut at = start;
        for pair in sizes.chunks(2) {
            offsets.push(at);
            at += pair.iter().sum::<u32>();
        }
        let sound = trak(b"soun", &[4], &[start], &[1], None);
        let picture = trak(b"vide", &sizes, &offsets, sync, shifts);
        let moov = atom(
            b"moov",
            &[table(b"mvhd", &[0; 24]), sound, picture].concat(),
        );
        ([ftyp, atom(b"mdat", &data), moov].concat(), data)
    }

    fn run(bytes: &[u8]) -> Option<Vec<u8>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.mp4");
        std::fs::write(&path, bytes).unwrap();
        fragmented(&path).unwrap()
    }

    /// The top-level boxes of `out`: their kinds and bodies.
    fn top(out: &[u8]) -> Vec<(String, Vec<u8>)> {
        children(out)
            .unwrap()
            .iter()
            .map(|c| {
                (
                    String::from_utf8_lossy(c.kind).into_owned(),
                    c.body.to_vec(),
                )
            })
            .collect()
    }

    #[test]
    fn a_fragment_per_group_of_pictures_holds_them_in_order() {
        let (bytes, data) = file(
            7,
            &[1, 4, 6],
            Some(&[1024, 1536, 512, 1024, 1024, 512, 512]),
        );
        let out = run(&bytes).expect("understood");
        let boxes = top(&out);
        let kinds: Vec<&str> = boxes.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            kinds,
            ["ftyp", "moov", "moof", "mdat", "moof", "mdat", "moof", "mdat"]
        );

        // Only the picture track is described, as track 1, with mvex.
        let moov = children(&boxes[1].1).unwrap();
        assert_eq!(moov.iter().filter(|c| c.kind == b"trak").count(), 1);
        let hdlr = dig(&boxes[1].1, &[b"trak", b"mdia", b"hdlr"]).unwrap();
        assert_eq!(&hdlr.body[8..12], b"vide");
        assert_eq!(
            be32(dig(&boxes[1].1, &[b"trak", b"tkhd"]).unwrap().body, 12),
            Some(1)
        );
        assert!(dig(&boxes[1].1, &[b"mvex", b"trex"]).is_some());

        // The mdats hold every picture's bytes, in order; none of the sound's.
        let pictures: Vec<u8> = boxes
            .iter()
            .filter(|(k, _)| k == "mdat")
            .flat_map(|(_, b)| b.clone())
            .collect();
        assert_eq!(pictures, data);

        // Each trun: its pictures (3, 2, 2), timed from the group's start,
        // the first a key picture.
        let mut decode_time = 0u64;
        for c in children(&out).unwrap() {
            if c.kind == b"moof" {
                let trun = dig(c.body, &[b"traf", b"trun"]).unwrap().body;
                let tfdt = dig(c.body, &[b"traf", b"tfdt"]).unwrap().body;
                assert_eq!(be64(tfdt, 4), Some(decode_time));
                let count = be32(trun, 4).unwrap() as usize;
                let data_offset = be32(trun, 8).unwrap() as usize;
                assert_eq!(
                    data_offset,
                    c.whole.len() + 8,
                    "data starts in the next mdat"
                );
                let flags: Vec<u32> = (0..count)
                    .map(|i| be32(trun, 12 + i * 16 + 8).unwrap())
                    .collect();
                assert_eq!(flags[0], 0x0200_0000);
                assert!(flags[1..].iter().all(|&f| f == 0x0101_0000));
                decode_time += count as u64 * 512;
            }
        }
        assert_eq!(decode_time, 7 * 512);
        let first = dig(&out[moof_offset(&out)..], &[b"moof", b"traf", b"trun"])
            .unwrap()
            .body;
        assert_eq!(
            be32(first, 12 + 12),
            Some(1024),
            "composition offsets as they were"
        );
        assert_eq!(be32(first, 12 + 16 + 12), Some(1536));
    }

    fn moof_offset(out: &[u8]) -> usize {
        children(out)
            .unwrap()
            .iter()
            .take_while(|c| c.kind != b"moof")
            .map(|c| c.whole.len())
            .sum()
    }

    #[test]
    fn the_init_segment_knows_the_length_and_offsets_may_be_negative() {
        // QuickTime writes negative composition offsets in a version 0 ctts.
        let (bytes, _) = file(3, &[1], Some(&[1024, (-512i32) as u32, 0]));
        let out = run(&bytes).unwrap();
        let mvhd = dig(&out, &[b"moov", b"mvhd"]).unwrap().body;
        assert_eq!(be32(mvhd, 12), Some(15360), "the track's timescale");
        assert_eq!(
            be32(mvhd, 16),
            Some(3 * 512),
            "its length, before the last append"
        );
        assert!(
            dig(&out, &[b"moov", b"trak", b"edts"]).is_none(),
            "no edit list"
        );
        let trun = dig(&out[moof_offset(&out)..], &[b"moof", b"traf", b"trun"])
            .unwrap()
            .body;
        assert_eq!(be32(trun, 12 + 16 + 12).map(|v| v as i32), Some(-512));
    }

    #[test]
    fn a_moov_with_a_64_bit_size_is_read() {
        let (bytes, data) = file(3, &[1], None);
        let at = bytes.windows(4).position(|w| w == b"moov").unwrap() - 4;
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as u64;
        let mut wide = bytes[..at].to_vec();
        wide.extend(1u32.to_be_bytes());
        wide.extend_from_slice(b"moov");
        wide.extend((size + 8).to_be_bytes());
        wide.extend_from_slice(&bytes[at + 8..]);
        let out = run(&wide).expect("understood");
        let pictures: Vec<u8> = top(&out)
            .into_iter()
            .filter(|(k, _)| k == "mdat")
            .flat_map(|(_, b)| b)
            .collect();
        assert_eq!(pictures, data);
    }

    #[test]
    fn the_length_is_read_from_the_index() {
        let (bytes, _) = file(3, &[1], None);
        let at = bytes.windows(4).position(|w| w == b"mvhd").unwrap() + 4;
        let mut long = bytes.clone();
        long[at + 12..at + 16].copy_from_slice(&600u32.to_be_bytes());
        long[at + 16..at + 20].copy_from_slice(&120_000u32.to_be_bytes());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.mp4");
        std::fs::write(&path, &long).unwrap();
        assert_eq!(duration_ms(&path).unwrap(), Some(200_000.0));
        // No timescale: no length.
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(duration_ms(&path).unwrap(), None);
    }

    #[test]
    fn without_a_sync_table_every_picture_is_a_key_picture() {
        let (mut bytes, _) = file(3, &[1], None);
        // The picture track's stss (it comes last) renamed to a box nobody reads.
        let at = bytes.windows(4).rposition(|w| w == b"stss").unwrap();
        bytes[at..at + 4].copy_from_slice(b"free");
        let out = run(&bytes).unwrap();
        assert_eq!(top(&out).iter().filter(|(k, _)| k == "moof").count(), 3);
    }

    #[test]
    fn what_it_cannot_follow_is_none() {
        let (bytes, _) = file(4, &[1], None);
        // No picture track.
        let mut no_picture = bytes.clone();
        let at = no_picture.windows(4).position(|w| w == b"vide").unwrap();
        no_picture[at..at + 4].copy_from_slice(b"text");
        assert_eq!(run(&no_picture), None);
        // Cut inside the index.
        assert_eq!(run(&bytes[..bytes.len() - 20]), None);
        // Not an MP4 at all.
        assert_eq!(run(b"RIFF\0\0\0\0WEBPVP8 "), None);
        // A sample table claiming more bytes than the file holds.
        let mut greedy = bytes.clone();
        let stsz = greedy.windows(4).rposition(|w| w == b"stsz").unwrap();
        greedy[stsz + 16..stsz + 20].copy_from_slice(&0x7fff_0000u32.to_be_bytes());
        assert_eq!(run(&greedy), None);
    }

    #[test]
    fn damaged_copies_never_panic_and_never_grow_past_the_file() {
        let (bytes, _) = file(9, &[1, 5], Some(&[512; 9]));
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.mp4");
        for _ in 0..3000 {
            let mut damaged = bytes.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() % damaged.len() as u64) as usize;
                damaged[i] = next() as u8;
            }
            std::fs::write(&path, &damaged).unwrap();
            if let Some(out) = fragmented(&path).unwrap() {
                assert!(
                    out.len() < damaged.len() + 4096,
                    "{} from {}",
                    out.len(),
                    damaged.len()
                );
            }
        }
    }
}
