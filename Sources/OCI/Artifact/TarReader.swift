import Foundation

/// One tar header as read back, after PAX and GNU long-name records are applied.
public struct TarEntryHeader: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file, directory, symlink, hardlink, characterDevice, blockDevice, fifo
        case other(UInt8)
    }

    public var name: String
    public var kind: Kind
    public var mode: UInt32
    public var size: UInt64
    public var linkName: String
    public var uid: Int64
    public var gid: Int64
    public var modificationTime: Int64
    public var userName: String
    public var groupName: String
    /// The magic and version fields as stored (`"ustar\0"` and `"00"` for USTAR/PAX).
    public var magic: [UInt8]
    public var version: [UInt8]
    /// Whether a PAX extended header preceded this entry.
    public var hadPAXHeader: Bool
}

/// Streams tar entries from a byte reader without buffering whole entries.
public final class TarReader {
    private let source: ArtifactByteReader
    private var buffer: [UInt8]
    private var bufferStart = 0
    private var bufferEnd = 0
    private var sourceEnded = false
    /// Bytes of the current entry's content (and padding) not yet consumed.
    private var remainingContent: UInt64 = 0
    private var remainingPadding = 0
    private var ended = false

    public init(_ source: ArtifactByteReader) {
        self.source = source
        buffer = [UInt8](repeating: 0, count: 64 << 10)
    }

    /// The next entry's header, or nil at the end of the archive. Unread content of the previous entry is skipped.
    public func next() throws -> TarEntryHeader? {
        guard !ended else { return nil }
        try skipRemainingContent()
        var pax: [String: String] = [:]
        var hadPAX = false
        var gnuLongName: String?
        var gnuLongLink: String?
        while true {
            guard let block = try readBlock() else {
                ended = true
                return nil // a missing end-of-archive marker is tolerated, like Go and GNU tar
            }
            if block.allSatisfy({ $0 == 0 }) {
                ended = true
                return nil
            }
            try verifyChecksum(block)
            let typeflag = block[156]
            let size = try parseNumber(block[124..<136], field: "size")
            switch typeflag {
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                let data = try readSmallContent(size)
                if typeflag == UInt8(ascii: "x") {
                    pax.merge(try parsePAX(data)) { $1 }
                    hadPAX = true
                }
                continue
            case UInt8(ascii: "L"):
                gnuLongName = cString(try readSmallContent(size)[...])
                continue
            case UInt8(ascii: "K"):
                gnuLongLink = cString(try readSmallContent(size)[...])
                continue
            default:
                break
            }
            let magic = Array(block[257..<263])
            var name = cString(block[0..<100])
            if magic.starts(with: Array("ustar".utf8)) {
                let prefix = cString(block[345..<500])
                if !prefix.isEmpty && magic == Array("ustar\0".utf8) { name = prefix + "/" + name }
            }
            var header = TarEntryHeader(
                name: gnuLongName ?? name,
                kind: Self.kind(typeflag, name: name),
                mode: UInt32(truncatingIfNeeded: try parseNumber(block[100..<108], field: "mode")),
                size: size,
                linkName: gnuLongLink ?? cString(block[157..<257]),
                uid: Int64(try parseNumber(block[108..<116], field: "uid")),
                gid: Int64(try parseNumber(block[116..<124], field: "gid")),
                modificationTime: Int64(truncatingIfNeeded: try parseNumber(block[136..<148], field: "mtime")),
                userName: cString(block[265..<297]),
                groupName: cString(block[297..<329]),
                magic: magic,
                version: Array(block[263..<265]),
                hadPAXHeader: hadPAX)
            if let path = pax["path"] { header.name = path }
            if let link = pax["linkpath"] { header.linkName = link }
            if let sizeText = pax["size"] {
                guard let value = UInt64(sizeText) else { throw invalid("PAX size '\(sizeText)' of '\(header.name)' is not a number") }
                header.size = value
            }
            if let uid = pax["uid"].flatMap({ Int64($0) }) { header.uid = uid }
            if let gid = pax["gid"].flatMap({ Int64($0) }) { header.gid = gid }
            if let mtime = pax["mtime"].flatMap({ Double($0) }) { header.modificationTime = Int64(mtime) }
            if header.kind == .directory || header.kind == .symlink || header.kind == .hardlink
                || header.kind == .characterDevice || header.kind == .blockDevice || header.kind == .fifo {
                // These carry no content even if a size is recorded for them (hard links may, but we never read it).
                remainingContent = header.kind == .hardlink ? header.size : 0
            } else {
                remainingContent = header.size
            }
            remainingPadding = TarHeader.padding(for: remainingContent)
            return header
        }
    }

    /// Reads content of the current entry; 0 at its end.
    public func readContent(into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remainingContent > 0, destination.count > 0 else { return 0 }
        let want = Int(min(UInt64(destination.count), remainingContent))
        if bufferEnd == bufferStart { try fill() }
        let available = bufferEnd - bufferStart
        if available == 0 { throw invalid("the archive ends in the middle of an entry's content") }
        let count = min(want, available)
        buffer.withUnsafeBytes { source in
            destination.baseAddress!.copyMemory(from: source.baseAddress! + bufferStart, byteCount: count)
        }
        bufferStart += count
        remainingContent -= UInt64(count)
        return count
    }

    private func skipRemainingContent() throws {
        var total = remainingContent + UInt64(remainingPadding)
        remainingContent = 0
        remainingPadding = 0
        while total > 0 {
            if bufferEnd == bufferStart { try fill() }
            let available = bufferEnd - bufferStart
            if available == 0 { throw invalid("the archive ends in the middle of an entry's content") }
            let step = Int(min(UInt64(available), total))
            bufferStart += step
            total -= UInt64(step)
        }
    }

    private func readSmallContent(_ size: UInt64) throws -> [UInt8] {
        guard size <= 1 << 20 else { throw invalid("an extended header of \(size) bytes is larger than the 1 MiB allowed") }
        var data = [UInt8](repeating: 0, count: Int(size))
        var offset = 0
        remainingContent = size
        remainingPadding = TarHeader.padding(for: size)
        while offset < data.count {
            let count = try data.withUnsafeMutableBytes { try readContent(into: UnsafeMutableRawBufferPointer(rebasing: $0[offset...])) }
            if count == 0 { throw invalid("the archive ends inside an extended header") }
            offset += count
        }
        try skipRemainingContent()
        return data
    }

    private func readBlock() throws -> [UInt8]? {
        while bufferEnd - bufferStart < TarHeader.blockSize {
            let before = bufferEnd - bufferStart
            try fill()
            if bufferEnd - bufferStart == before {
                if before == 0 { return nil }
                throw invalid("the archive ends in the middle of a header")
            }
        }
        let block = Array(buffer[bufferStart..<bufferStart + TarHeader.blockSize])
        bufferStart += TarHeader.blockSize
        return block
    }

    private func fill() throws {
        guard !sourceEnded else { return }
        if bufferStart > 0 {
            let pending = bufferEnd - bufferStart
            if pending > 0 { buffer.replaceSubrange(0..<pending, with: buffer[bufferStart..<bufferEnd]) }
            bufferStart = 0
            bufferEnd = pending
        }
        let count = try buffer.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[bufferEnd...])) }
        if count == 0 { sourceEnded = true }
        bufferEnd += count
    }

    private func verifyChecksum(_ block: [UInt8]) throws {
        let recorded = try parseNumber(block[148..<156], field: "checksum")
        var unsigned: UInt64 = 0
        var signed: Int64 = 0
        for (index, byte) in block.enumerated() {
            let value = (148..<156).contains(index) ? UInt8(ascii: " ") : byte
            unsigned += UInt64(value)
            signed += Int64(Int8(bitPattern: value))
        }
        guard recorded == unsigned || Int64(recorded) == signed else {
            throw invalid("a header checksum does not match (entry '\(cString(block[0..<100]))'); the archive is corrupt")
        }
    }

    /// Octal (space/NUL terminated) or GNU base-256.
    private func parseNumber(_ field: ArraySlice<UInt8>, field name: String) throws -> UInt64 {
        if let first = field.first, first & 0x80 != 0 {
            var value: UInt64 = UInt64(first & 0x7f)
            for byte in field.dropFirst() { value = value << 8 | UInt64(byte) }
            return value
        }
        var value: UInt64 = 0
        var seenDigit = false
        for byte in field {
            if byte == 0 || byte == UInt8(ascii: " ") {
                if seenDigit { break } else { continue }
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) else {
                throw invalid("the \(name) field of a header is not an octal number; the archive is corrupt")
            }
            seenDigit = true
            value = value * 8 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private func parsePAX(_ data: [UInt8]) throws -> [String: String] {
        var records: [String: String] = [:]
        var index = 0
        while index < data.count {
            guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: data[index..<space], as: UTF8.self)), length > 0,
                  index + length <= data.count, data[index + length - 1] == UInt8(ascii: "\n"),
                  let equals = data[(space + 1)..<(index + length)].firstIndex(of: UInt8(ascii: "=")) else {
                throw invalid("a PAX extended header is malformed")
            }
            let key = String(decoding: data[(space + 1)..<equals], as: UTF8.self)
            records[key] = String(decoding: data[(equals + 1)..<(index + length - 1)], as: UTF8.self)
            index += length
        }
        return records
    }

    private func cString(_ bytes: ArraySlice<UInt8>) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    }

    private func invalid(_ message: String) -> ArtifactError {
        ArtifactError(.invalidArchive, "invalid tar archive: \(message)")
    }

    private static func kind(_ typeflag: UInt8, name: String) -> TarEntryHeader.Kind {
        switch typeflag {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"): return name.hasSuffix("/") ? .directory : .file
        case UInt8(ascii: "1"): return .hardlink
        case UInt8(ascii: "2"): return .symlink
        case UInt8(ascii: "3"): return .characterDevice
        case UInt8(ascii: "4"): return .blockDevice
        case UInt8(ascii: "5"): return .directory
        case UInt8(ascii: "6"): return .fifo
        default: return .other(typeflag)
        }
    }
}
