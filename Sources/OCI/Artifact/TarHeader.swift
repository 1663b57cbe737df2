import Foundation

/// Writes tar headers the way Go's archive/tar writer does for flux: USTAR (`ustar\0`, `00`), numeric fields in
/// zero-padded octal ending in NUL, checksum as six digits, NUL, space; a PAX extended header only when the name
/// cannot be stored in USTAR (non-ASCII, or too long to split into prefix + name) or the size is 8 GiB or more.
enum TarHeader {
    static let blockSize = 512
    static let typeRegular = UInt8(ascii: "0")
    static let typeDirectory = UInt8(ascii: "5")
    static let typePAX = UInt8(ascii: "x")

    private static let nameSize = 100
    private static let prefixSize = 155
    private static let maxOctalSize: UInt64 = 1 << 33

    /// Header block(s) for one entry; 512 bytes, or more when a PAX extended header precedes it.
    static func encode(name: String, typeflag: UInt8, mode: UInt32, size: UInt64) -> [UInt8] {
        let nameBytes = Array(name.utf8)
        let ascii = nameBytes.allSatisfy { $0 < 0x80 }
        var paxRecords: [(String, String)] = []
        var storedName = nameBytes
        var prefix: [UInt8] = []
        if !ascii || nameBytes.count > nameSize {
            if let split = splitUSTARPath(nameBytes) {
                prefix = split.prefix
                storedName = split.name
            } else {
                paxRecords.append(("path", name))
            }
        }
        if size >= maxOctalSize { paxRecords.append(("size", String(size))) }

        guard !paxRecords.isEmpty else {
            var block = template(name: storedName, typeflag: typeflag, mode: UInt64(mode), size: size)
            put(prefix, into: &block, at: 345, width: prefixSize)
            finish(&block)
            return block
        }
        // The PAX header entry, then the main header with an ASCII-only, truncated name and a zeroed size if too big.
        var data: [UInt8] = []
        for (key, value) in paxRecords.sorted(by: { $0.0 < $1.0 }) { data += paxRecord(key, value) }
        let slash = nameBytes.lastIndex(of: UInt8(ascii: "/"))
        let directory = slash.map { Array(nameBytes[...$0]) } ?? []
        let base = slash.map { Array(nameBytes[($0 + 1)...]) } ?? nameBytes
        var paxName = toASCII(directory + Array("PaxHeaders.0/".utf8) + base)
        if paxName.count > nameSize { paxName = Array(paxName.prefix(nameSize)) }
        while paxName.last == UInt8(ascii: "/") { paxName.removeLast() }
        // Go's writeRawFile: only the V7 numeric fields, no device numbers.
        var paxBlock = template(name: paxName, typeflag: typePAX, mode: 0, size: UInt64(data.count), deviceFields: false)
        finish(&paxBlock)
        var output = paxBlock + data
        output += [UInt8](repeating: 0, count: padding(for: UInt64(data.count)))
        var main = template(name: toASCII(nameBytes), typeflag: typeflag, mode: UInt64(mode), size: size < maxOctalSize ? size : 0)
        finish(&main)
        return output + main
    }

    /// Zero bytes that pad `size` bytes of content to a whole block.
    static func padding(for size: UInt64) -> Int {
        let remainder = Int(size % UInt64(blockSize))
        return remainder == 0 ? 0 : blockSize - remainder
    }

    private static func template(name: [UInt8], typeflag: UInt8, mode: UInt64, size: UInt64, deviceFields: Bool = true) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        putTruncated(name, into: &block, at: 0, width: nameSize)
        putOctal(mode, into: &block, at: 100, width: 8)
        putOctal(0, into: &block, at: 108, width: 8) // uid
        putOctal(0, into: &block, at: 116, width: 8) // gid
        putOctal(size, into: &block, at: 124, width: 12)
        putOctal(0, into: &block, at: 136, width: 12) // mtime: the Unix epoch
        block[156] = typeflag
        if deviceFields {
            putOctal(0, into: &block, at: 329, width: 8) // devmajor
            putOctal(0, into: &block, at: 337, width: 8) // devminor
        }
        return block
    }

    /// Magic, version and checksum, as Go's `setFormat(FormatUSTAR|FormatPAX)`.
    private static func finish(_ block: inout [UInt8]) {
        block.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
        block.replaceSubrange(263..<265, with: Array("00".utf8))
        var checksum: UInt64 = 0
        for (index, byte) in block.enumerated() {
            checksum += (148..<156).contains(index) ? UInt64(UInt8(ascii: " ")) : UInt64(byte)
        }
        putOctal(checksum, into: &block, at: 148, width: 7)
        block[155] = UInt8(ascii: " ")
    }

    /// Octal digits padded with leading zeros to `width - 1`, then NUL (Go's `formatOctal`).
    private static func putOctal(_ value: UInt64, into block: inout [UInt8], at offset: Int, width: Int) {
        let digits = Array(String(value, radix: 8).utf8)
        let padded = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - 1 - digits.count)) + digits
        put(padded, into: &block, at: offset, width: width)
    }

    private static func put(_ bytes: [UInt8], into block: inout [UInt8], at offset: Int, width: Int) {
        let count = min(bytes.count, width)
        for index in 0..<count { block[offset + index] = bytes[index] }
        if count < width { block[offset + count] = 0 }
    }

    /// Go's `formatString` on an overlong value: truncate, and never leave a trailing `/` in the field.
    private static func putTruncated(_ bytes: [UInt8], into block: inout [UInt8], at offset: Int, width: Int) {
        put(bytes, into: &block, at: offset, width: width)
        if bytes.count > width && block[offset + width - 1] == UInt8(ascii: "/") {
            var end = width
            while end > 0 && block[offset + end - 1] == UInt8(ascii: "/") { end -= 1 }
            block[offset + end] = 0
        }
    }

    private static func toASCII(_ bytes: [UInt8]) -> [UInt8] {
        // Go drops every non-ASCII rune; dropping the bytes of multi-byte UTF-8 sequences is the same.
        bytes.filter { $0 < 0x80 }
    }

    /// Go's `splitUSTARPath`: prefix + `/` + name with prefix ≤ 155 and name ≤ 100 bytes, ASCII only.
    private static func splitUSTARPath(_ name: [UInt8]) -> (prefix: [UInt8], name: [UInt8])? {
        var length = name.count
        guard length > nameSize, name.allSatisfy({ $0 < 0x80 }) else { return nil }
        if length > prefixSize + 1 {
            length = prefixSize + 1
        } else if name[length - 1] == UInt8(ascii: "/") {
            length -= 1
        }
        guard let slash = name[..<length].lastIndex(of: UInt8(ascii: "/")) else { return nil }
        let suffixLength = name.count - slash - 1
        if slash <= 0 || suffixLength > nameSize || suffixLength == 0 || slash > prefixSize { return nil }
        return (Array(name[..<slash]), Array(name[(slash + 1)...]))
    }

    /// `"<length> <key>=<value>\n"` where the length counts the whole record.
    private static func paxRecord(_ key: String, _ value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n"
        var size = body.utf8.count
        size += String(size).utf8.count
        var record = String(size) + body
        if record.utf8.count != size {
            size = record.utf8.count
            record = String(size) + body
        }
        return Array(record.utf8)
    }
}
