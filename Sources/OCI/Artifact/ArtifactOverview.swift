// Overview of the Artifact folder: what each file does, the format decisions that fix layer digests, the ignore
// and extraction policies, and the benchmark. (Kept as comments so SwiftPM does not flag a stray resource.)
//
// # Artifact: Flux layer builder, reader, extractor, diff
//
// What `flux push/build/pull/diff artifact` need from the layer, streamed with bounded memory.
//
// | piece | file | notes |
// |---|---|---|
// | source + options | `ArtifactSource.swift` | `.directory`, `.file`, `.standardInput(Data)`; `ArtifactSource.resolve(path:readStandardInput:)` maps `--path` (`-` = stdin) |
// | walk + ignore | `ArtifactWalker.swift`, `IgnoreMatcher.swift` | depth first, byte order, `.` root; go-git gitignore semantics (see below) |
// | tar headers | `TarHeader.swift` | Go archive/tar byte layout (USTAR, PAX only when needed) |
// | tar stream + chunks | `TarStream.swift` | 256 KiB chunks, file content read straight into the chunk, sha256 of the tar on the fly |
// | parallel gzip | `ParallelGzip.swift` | reader thread → N libdeflate workers → ordered writer; `threads + 2` chunks in flight, recycled buffers |
// | tar digest relay | `ChunkRelay.swift`, `ChunkPipeline.swift` | files read on a producer thread while the caller hashes (`--skip-unchanged`); plumbing shared with `ParallelGzip` |
// | build | `ArtifactBuilder.swift` | `build(source:options:destinationPath:)`, `tarDigest(source:options:)`, `writeTar(...)` |
// | manifest + config | `FluxArtifact.swift` | legacy 233-byte ggcr config with `diff_ids`, manifest with sorted annotations, Go-style JSON escaping |
// | reading | `ByteReader.swift`, `TarReader.swift` | `ArtifactByteReader` (same shape as `HTTPBodyReader`), multi-member gzip via zlib, streaming tar |
// | extraction | `TarExtractor.swift` | staging dir beside the target, moved into place only on success |
// | diff | `ArtifactDiff.swift`, `TextDiff.swift` | content comparison, Myers unified diff for text ≤ 1 MiB |
//
// ## Format decisions (each changes digests if changed)
// - gzip: the tar stream is cut into **256 KiB** chunks (`ArtifactBuildOptions.chunkSize`), each a complete gzip member
//   (raw deflate from libdeflate at the configured level, default 6) with the fixed header `1f 8b 08 00 00000000 00 ff`
//   (no name, MTIME 0, XFL 0, OS 255, as Go writes) and the CRC-32/ISIZE trailer; members are concatenated in order.
//   The thread count never changes the bytes. Compressed size is within 0.4 % of `gzip -6` on the bench payloads.
//   Chunk size trades memory for ratio: on the 200 MiB bench, 512 KiB chunks were 0.08 % smaller and 1 MiB 0.04 %
//   smaller again, but cost 1.2 and ~3 MiB more peak RSS with two threads (256 KiB since 2026-11-27, so layers built
//   before then have other digests).
// - stdin: stored as `resources.yaml`, mode 0644, trailing `\r`/`\n` trimmed.
// - the `.` entry of a single-file or stdin artifact has mode 0755 (there is no directory on disk; flux's temp dir is 0700).
// - a single `--path` file is not matched against the ignore rules (flux would drop e.g. `logo.png` and push an empty artifact).
//
// ## Ignore semantics (go-git, as flux)
// Last matching pattern wins; `!` re-includes; a pattern without `/` matches any path component (so `.git/` also
// excludes everything below `.git`); a pattern containing `/` is anchored at the root and also matches everything below
// what it matches; `**` spans directories; trailing `/` = directory only (for the last component). A directory whose own
// entry is ignored is still walked and each child is matched on its own.
//
// ## Extraction policy
// Refused with an `ArtifactError` naming the entry: absolute names, `..` components, symlinks or hard links whose
// target leaves the directory, total content over the size limit (default 100 MiB). Skipped and listed in
// `ExtractionResult.skipped`: links inside the directory, devices, FIFOs. setuid/setgid/sticky bits are dropped. On
// any error the staging directory is removed and the target is untouched.
//
// ## Benchmark
// `bench/push.sh [--mib 200] [--files 2000] [--seed N]` builds the CLI with the Makefile's release flags (static Swift
// runtime, stripped), generates a seeded payload (half YAML-like text, half random), starts a local docker-registry,
// then measures `tar | gzip -6 | sha256sum`, `tar | pigz -6 -n | sha256sum`, `kubectl-gitops build artifact`,
// `push artifact` and a re-push with `--skip-unchanged`, each with `/usr/bin/time -v` in the same run, and prints
// ratios. (The `BENCH=…` hooks in `Tests/OCITests/ArtifactBenchmarkTests.swift` measure the builder in-process.)
//
// Last runs (2026-11-27, final build: 3 runs of 200 MiB / 2,000 files plus one of 2 GiB, 2 cores shared with other
// machines; ratios are ours / baseline):
//
// | ours | vs gzip -6 wall / CPU / size | vs pigz -6 wall / CPU | peak RSS |
// |---|---|---|---|
// | build artifact | 0.18 / 0.24–0.29 / 1.004 | 0.34–0.39 / 0.30–0.35 | 23.4 MiB |
// | push artifact (build + upload over loopback) | 0.23–0.29 / 0.26–0.30 | 0.47–0.52 / 0.32–0.35 | 28.2–29.3 MiB |
// | push artifact, 2 GiB | 0.22 / 0.23 | 0.46 / 0.29 | 28.7 MiB |
// | re-push, --skip-unchanged (0 bytes uploaded; files read while hashing) | wall 0.15–0.16 × push | | 26.5 MiB |
// | oras-py push of the same directory | ours 0.16–0.19 × its wall, 0.20 × its 144 MiB | | |
//
// The push's floor on 2 cores is the registry: it spends ~0.4 s CPU receiving 110 MiB (measured with curl alone), on
// the same cores as our ~1.45 s. Peak RSS is ~70 % file-backed pages (binary text touched by the Swift runtime's
// metadata scans, libcrypto initialised by libcurl, libc), so it moves with the page cache: 29.8 MiB with the binary
// read from disk, 31.5 MiB right after a `cp` (large folios). The anonymous part peaks at ~5 MiB during a push (chunk
// buffers, libdeflate state, curl, thread stacks) and does not grow with the payload.
