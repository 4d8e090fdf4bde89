//! Commands that move records between devices: bundles and chunks, the LAN endpoint, a sync
//! with it.

use crate::args::*;
use crate::database::{open, open_cycle};
use crate::error::CliError;
use crate::render::*;
use std::process::ExitCode;

pub(crate) fn bundle_export(cli: &Cli, args: &BundleExportArgs) -> Result<ExitCode, CliError> {
    let BundleExportArgs {
        cycle,
        out,
        chunks,
        qr,
        for_peer,
    } = args;
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, *cycle)?;
    let records = match for_peer {
        Some(k) => {
            let key = linli_core::DeviceKey::from_hex(k).map_err(CliError::Usage)?;
            store.export_for_peer(cycle, &key)?
        }
        None => store.export(cycle)?,
    };
    let bundle = linli_core::bundle::encode(cycle, &records);
    if chunks.is_some() || *qr {
        // QR-sized chunks when the bundle fits in QR codes; otherwise (a whole cycle) chunks for
        // channels that carry small files or messages, which `--qr` cannot show.
        let (parts, as_qr) = match linli_core::chunks::split_for_qr(&bundle) {
            Ok(parts) => (parts, true),
            Err(linli_core::chunks::ChunkError::TooLarge) if !*qr => {
                (linli_core::chunks::split(&bundle)?, false)
            }
            Err(linli_core::chunks::ChunkError::TooLarge) => {
                return Err(CliError::Usage(format!(
                    "{} {}",
                    bundle.len(),
                    lang.pick(
                        "字节的记录放不进二维码（最多约 38 KB）：请用 --out 写成文件，或用 --for 只导出对方缺少的记录",
                        "bytes of records are too many for QR codes (at most about 38 KB): write a file with --out, or export only what a peer lacks with --for",
                    )
                )));
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(dir) = chunks {
            std::fs::create_dir_all(dir)?;
            for (i, c) in parts.iter().enumerate() {
                let name = format!("chunk-{:05}", i + 1);
                std::fs::write(dir.join(format!("{name}.bin")), c)?;
                if as_qr {
                    let text = linli_core::chunks::to_text(c);
                    let svg = linli_core::qr::svg(&text, 320)
                        .map_err(|e| CliError::Usage(e.to_string()))?;
                    std::fs::write(dir.join(format!("{name}.txt")), &text)?;
                    std::fs::write(dir.join(format!("{name}.svg")), svg)?;
                }
            }
            if !as_qr {
                println!(
                    "{}",
                    lang.pick(
                        "记录太多，放不进二维码：只写出分片文件（每片最多 2000 字节）",
                        "too many records for QR codes: chunk files only (at most 2,000 bytes each)",
                    )
                );
            }
        }
        if *qr {
            for (i, c) in parts.iter().enumerate() {
                println!("{} {}/{}", lang.pick("分片", "chunk"), i + 1, parts.len());
                print_qr(&linli_core::chunks::to_text(c))?;
            }
        }
        println!(
            "{} {} → {} {}",
            records.len(),
            lang.pick("条记录", "records"),
            parts.len(),
            lang.pick("个分片", "chunks")
        );
    }
    if let Some(path) = out {
        std::fs::write(path, &bundle)?;
        println!(
            "{} {}, {} {}",
            records.len(),
            lang.pick("条记录", "records"),
            bundle.len(),
            lang.pick("字节", "bytes")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn serve(cli: &Cli, args: &ServeArgs) -> Result<ExitCode, CliError> {
    let ServeArgs { listen, sessions } = args;
    let lang = cli.lang;
    let store = std::sync::Arc::new(open(cli)?);
    store.set_doc_cache_bytes(linli_core::store::docs::HUB_CACHE_BYTES);
    let listener = std::net::TcpListener::bind(listen)?;
    let server = linli_core::sync::net::Server::start(
        store.clone(),
        listener,
        linli_core::sync::SessionOptions::default(),
    )?;
    println!(
        "{} {} ({} {})",
        lang.pick("同步服务已启动：", "serving sync on"),
        server.local_addr(),
        lang.pick("设备", "device"),
        store.device_key().short()
    );
    let mut seen = 0;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let st = server.stats();
        let done = st.sessions_done.load(std::sync::atomic::Ordering::Relaxed)
            + st.sessions_failed
                .load(std::sync::atomic::Ordering::Relaxed);
        if done != seen {
            seen = done;
            println!(
                "{}: {} {}, {} {}, {} {}",
                lang.pick("会话", "sessions"),
                st.sessions_done.load(std::sync::atomic::Ordering::Relaxed),
                lang.pick("完成", "done"),
                st.sessions_failed
                    .load(std::sync::atomic::Ordering::Relaxed),
                lang.pick("失败", "failed"),
                st.records_received
                    .load(std::sync::atomic::Ordering::Relaxed),
                lang.pick("条新记录", "new records")
            );
        }
        if sessions.is_some_and(|n| done >= n) {
            server.stop();
            return Ok(ExitCode::SUCCESS);
        }
    }
}

pub(crate) fn sync_with(cli: &Cli, args: &SyncArgs) -> Result<ExitCode, CliError> {
    let SyncArgs {
        addr,
        max_blob_bytes,
    } = args;
    let lang = cli.lang;
    let store = std::sync::Arc::new(open(cli)?);
    let opts = linli_core::sync::SessionOptions {
        max_blob_bytes: *max_blob_bytes,
        ..Default::default()
    };
    let p = linli_core::sync::net::sync_with(store, addr, opts, &mut |_| Ok(()))?;
    if cli.json {
        print_json(&serde_json::json!({
            "messages_sent": p.messages_sent,
            "messages_received": p.messages_received,
            "bytes_sent": p.bytes_sent,
            "bytes_received": p.bytes_received,
            "records_received": p.records_received,
            "blobs_received": p.blobs_received,
            "documents": p.docs_total,
        }));
    } else {
        println!(
            "{}: {} {}, {} {}, {} {} / {} {}, {} {}",
            lang.pick("同步完成", "synced"),
            p.records_received,
            lang.pick("条新记录", "new records"),
            p.blobs_received,
            lang.pick("个文件", "files"),
            p.bytes_sent,
            lang.pick("字节发出", "bytes sent"),
            p.bytes_received,
            lang.pick("字节收到", "received"),
            p.messages_received,
            lang.pick("个往返", "round trips")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn bundle_import(cli: &Cli, args: &BundleImportArgs) -> Result<ExitCode, CliError> {
    let BundleImportArgs { files } = args;
    let lang = cli.lang;
    let store = open(cli)?;
    let mut bundles = Vec::new();
    let mut assembler = linli_core::chunks::Assembler::new();
    let mut saw_chunks = false;
    for f in files {
        let bytes = std::fs::read(f)?;
        // A chunk's bytes, or the text its QR code carried (as a scanner saved it).
        let scanned = || {
            std::str::from_utf8(&bytes)
                .ok()
                .and_then(|t| linli_core::chunks::from_text(t).ok())
        };
        if linli_core::chunks::is_chunk(&bytes) {
            assembler.add(&bytes)?;
            saw_chunks = true;
        } else if let Some(chunk) = scanned() {
            assembler.add(&chunk)?;
            saw_chunks = true;
        } else {
            bundles.push(bytes);
        }
    }
    if saw_chunks {
        bundles.push(assembler.finish()?);
    }
    for b in bundles {
        let cycle = linli_core::bundle::peek(&b)?;
        let records = linli_core::bundle::decode(cycle, &b)?;
        let r = store.import(cycle, &records)?;
        println!(
            "{cycle}: {} {}, {} {}, {} {}, {} {}, {} {}",
            r.new,
            lang.pick("条新记录", "new records"),
            r.known,
            lang.pick("条已有", "already held"),
            r.excluded.len(),
            lang.pick("条未计入", "not counted"),
            r.refused.len(),
            lang.pick("条损坏或伪造，已拒收", "damaged or forged, refused"),
            r.held,
            lang.pick(
                "条未登记者的记录，单独存放",
                "by unregistered keys, held aside"
            ),
        );
    }
    Ok(ExitCode::SUCCESS)
}
