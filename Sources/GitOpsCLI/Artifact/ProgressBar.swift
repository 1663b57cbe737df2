import Foundation
import OCI

/// A one-line transfer bar on stderr (bytes, rate, ETA), redrawn at most ten times a second; only on a terminal.
final class ProgressBar: @unchecked Sendable {
    private let console: Console
    private let label: String
    private let now: @Sendable () -> TimeInterval
    private let lock = NSLock()
    private var digest: String?
    private var started: TimeInterval = 0
    private var lastDrawn: TimeInterval = -1
    private var visible = false

    /// nil when stderr is not a terminal: nothing is ever drawn there.
    static func make(console: Console, label: String) -> ProgressBar? {
        console.stderrIsTerminal ? ProgressBar(console: console, label: label) : nil
    }

    init(console: Console, label: String, now: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }) {
        self.console = console
        self.label = label
        self.now = now
    }

    /// Feeds one progress report; a new digest restarts the bar (config blob, then layer).
    func update(digest: String, bytes: Int64, total: Int64?) {
        lock.lock()
        defer { lock.unlock() }
        let time = now()
        if digest != self.digest {
            self.digest = digest
            started = time
            lastDrawn = -1
        }
        let complete = total.map { bytes >= $0 } ?? false
        guard complete || lastDrawn < 0 || time - lastDrawn >= 0.1 else { return }
        lastDrawn = time
        let line = Self.render(label: label, bytes: bytes, total: total, elapsed: time - started)
        console.stderr.write("\r" + line + "\u{1B}[K")
        visible = true
    }

    /// The registry client's progress callback, feeding this bar.
    var handler: RegistryProgressHandler {
        { [self] progress in update(digest: progress.digest, bytes: progress.bytes, total: progress.total) }
    }

    /// Clears the bar so the next status line starts on a clean line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if visible { console.stderr.write("\r\u{1B}[K") }
        visible = false
    }

    /// `uploading  12.0 MiB / 48.0 MiB  25%  6.0 MiB/s  ETA 6s` (rate and ETA once a little time has passed).
    static func render(label: String, bytes: Int64, total: Int64?, elapsed: TimeInterval) -> String {
        var parts = [label, size(bytes) + (total.map { " / " + size($0) } ?? "")]
        if let total, total > 0 { parts.append("\(min(100, bytes * 100 / total))%") }
        if elapsed >= 0.2, bytes > 0 {
            let rate = Double(bytes) / elapsed
            parts.append(size(Int64(rate)) + "/s")
            if let total, total > bytes, rate > 0 {
                parts.append("ETA " + duration(Double(total - bytes) / rate))
            }
        }
        return parts.joined(separator: "  ")
    }

    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m\(String(format: "%02d", whole % 60))s" }
        return "\(whole / 3600)h\(String(format: "%02d", whole / 60 % 60))m"
    }
}
