import FoundationEssentials
import Glibc

/// Whole-buffer reads and writes on file descriptors (what FileHandle's readDataToEndOfFile and write did).
public enum FileDescriptorIO {
    /// Writes every byte, retrying on EINTR and short writes; false when the descriptor refused (e.g. a closed pipe).
    @discardableResult
    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    @discardableResult
    public static func writeAll(_ descriptor: Int32, _ data: some DataProtocol) -> Bool {
        var ok = true
        for region in data.regions { ok = ok && region.withUnsafeBytes { writeAll(descriptor, $0) } }
        return ok
    }

    @discardableResult
    public static func writeAll(_ descriptor: Int32, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { writeAll(descriptor, UnsafeRawBufferPointer($0)) }
    }

    public struct ReadError: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// Reads until end of file.
    public static func readToEnd(_ descriptor: Int32) throws -> Data {
        var result = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                result.append(contentsOf: buffer[0..<count])
            } else if count == 0 {
                return result
            } else if errno != EINTR {
                throw ReadError(reason: String(cString: strerror(errno)))
            }
        }
    }
}
