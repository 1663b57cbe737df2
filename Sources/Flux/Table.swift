import Foundation
import JSON

/// How `get` renders its table.
public struct FluxTableOptions: Sendable {
    /// `-A`: a NAMESPACE column first.
    public var allNamespaces = false
    /// `-o wide`: URL and REF (sources) or SOURCE, PATH, TARGET NAMESPACE (Kustomizations), full digests.
    public var wide = false
    public var noHeader = false
    /// `get all`: names written `ocirepository/NAME`.
    public var qualifiedNames = false
    /// The AGE column (kubectl-gitops' addition to flux's table).
    public var showAge = true
    /// The clock AGE is measured against.
    public var now = Date()
    /// Full digests in REVISION and MESSAGE also without `wide` (flux cuts 40–128-character hex runs to 8).
    public var fullDigests = false

    public init(allNamespaces: Bool = false, wide: Bool = false, noHeader: Bool = false, qualifiedNames: Bool = false,
                showAge: Bool = true, fullDigests: Bool = false, now: Date = Date()) {
        (self.allNamespaces, self.wide, self.noHeader, self.qualifiedNames, self.showAge, self.fullDigests, self.now) =
            (allNamespaces, wide, noHeader, qualifiedNames, showAge, fullDigests, now)
    }
}

public enum FluxTable {
    /// Renders one kind's objects (a `get all` prints one table per kind).
    public static func render(_ objects: [JSONValue], kind: FluxKind, options: FluxTableOptions = FluxTableOptions()) -> String {
        var header = ["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"]
        if options.allNamespaces { header.insert("NAMESPACE", at: 0) }
        if options.showAge { header.append("AGE") }
        if options.wide {
            switch kind {
            case .ociRepository: header += ["URL", "REF"]
            case .kustomization: header += ["SOURCE", "PATH", "TARGET NAMESPACE"]
            }
        }
        let rows = objects.map { row(for: $0, kind: kind, options: options) }
        return renderCells(header: options.noHeader ? nil : header, rows: rows)
    }

    /// `get all`: one table per kind that has objects, names written `kind/NAME`, separated by a blank line.
    public static func renderAll(_ groups: [(kind: FluxKind, objects: [JSONValue])], options: FluxTableOptions = FluxTableOptions()) -> String {
        var qualified = options
        qualified.qualifiedNames = true
        return groups.filter { !$0.objects.isEmpty }
            .map { render($0.objects, kind: $0.kind, options: qualified) }
            .joined(separator: "\n")
    }

    /// One row's cells, in the order of `render`'s header.
    public static func row(for object: JSONValue, kind: FluxKind, options: FluxTableOptions) -> [String] {
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        let namespace = object[path: "metadata", "namespace"]?.stringValue ?? ""
        var revision = FluxStatus.revision(object) ?? ""
        var ready = "False"
        var message = "waiting to be reconciled"
        if let condition = FluxStatus.condition("Ready", in: object) {
            ready = condition.status
            message = condition.message
        }
        if !options.wide && !options.fullDigests {
            revision = shortenDigests(revision)
            message = shortenDigests(message)
        }
        var cells = [options.qualifiedNames ? "\(kind.singular)/\(name)" : name, revision,
                     FluxStatus.isSuspended(object) ? "True" : "False", ready, message]
        if options.allNamespaces { cells.insert(namespace, at: 0) }
        if options.showAge {
            let created = object[path: "metadata", "creationTimestamp"]?.stringValue.flatMap(parseTimestamp)
            cells.append(created.map { humanAge(options.now.timeIntervalSince($0)) } ?? "<unknown>")
        }
        if options.wide {
            switch kind {
            case .ociRepository:
                let ref = object[path: "spec", "ref"]
                let refText = ref?["digest"]?.stringValue ?? ref?["semver"]?.stringValue ?? ref?["tag"]?.stringValue ?? ""
                cells += [object[path: "spec", "url"]?.stringValue ?? "", refText]
            case .kustomization:
                let sourceRef = object[path: "spec", "sourceRef"]
                let source = [sourceRef?["kind"]?.stringValue ?? "", sourceRef?["namespace"]?.stringValue ?? namespace,
                              sourceRef?["name"]?.stringValue ?? ""].joined(separator: "/")
                cells += [source, object[path: "spec", "path"]?.stringValue ?? "",
                          object[path: "spec", "targetNamespace"]?.stringValue ?? ""]
            }
        }
        return cells
    }

    /// flux's tablewriter layout: cells padded to the column width and joined by TAB; the header row ends with
    /// one space instead of a TAB, each data row ends with a TAB.
    public static func renderCells(header: [String]?, rows: [[String]]) -> String {
        let columnCount = max(header?.count ?? 0, rows.map(\.count).max() ?? 0)
        var widths = Array(repeating: 0, count: columnCount)
        for line in (header.map { [$0] } ?? []) + rows {
            for (column, cell) in line.enumerated() { widths[column] = max(widths[column], displayWidth(cell)) }
        }
        func padded(_ line: [String]) -> [String] {
            (0..<columnCount).map { column in
                let cell = column < line.count ? line[column] : ""
                return cell + String(repeating: " ", count: widths[column] - displayWidth(cell))
            }
        }
        var output = ""
        // tablewriter ends the header with a space where data rows have their TAB.
        if let header { output += padded(header).joined(separator: "\t") + " \n" }
        for row in rows { output += padded(row).joined(separator: "\t") + "\t\n" }
        return output
    }

    static func displayWidth(_ text: String) -> Int { text.unicodeScalars.count }

    /// Cuts every hex run of 40–128 characters that stands alone as a word (`\b[a-f0-9]{40,128}\b`) to 8.
    public static func shortenDigests(_ text: String) -> String {
        // Byte scan (tables call this for every cell): words are runs of ASCII letters, digits and '_'.
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        func isWordByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }
        func isLowerHex(_ byte: UInt8) -> Bool { (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) }
        var index = 0
        while index < bytes.count {
            guard isWordByte(bytes[index]) else {
                output.append(bytes[index])
                index += 1
                continue
            }
            var end = index
            while end < bytes.count, isWordByte(bytes[end]) { end += 1 }
            let word = bytes[index..<end]
            if (40...128).contains(word.count), word.allSatisfy(isLowerHex) {
                output.append(contentsOf: word.prefix(8))
            } else {
                output.append(contentsOf: word)
            }
            index = end
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// kubectl's AGE: 5s, 3m2s, 15m, 4h, 4h30m, 20h, 2d3h, 12d, 2y30d.
    public static func humanAge(_ interval: TimeInterval) -> String {
        let seconds = Int(interval.rounded(.towardZero))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let rest = seconds % 60
            return rest == 0 ? "\(minutes)m" : "\(minutes)m\(rest)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let rest = minutes % 60
            return rest == 0 ? "\(hours)h" : "\(hours)h\(rest)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let rest = hours % 24
            return rest == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(rest)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let rest = (hours / 24) % 365
            return rest == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(rest)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// RFC 3339 timestamps as the API writes them (`2026-11-26T01:30:24Z`, fractional seconds and offsets
    /// allowed). Parsed by hand: a date formatter per table row costs more than the rest of the row.
    public static func parseTimestamp(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 20, let year = number(0..<4), bytes[4] == 0x2D, let month = number(5..<7), bytes[7] == 0x2D,
              let day = number(8..<10), bytes[10] == 0x54 || bytes[10] == 0x74, let hour = number(11..<13), bytes[13] == 0x3A,
              let minute = number(14..<16), bytes[16] == 0x3A, let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == 0x2E {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset = 0
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case 0x5A, 0x7A:
            guard index + 1 == bytes.count else { return nil }
        case 0x2B, 0x2D:
            guard index + 6 == bytes.count, let zoneHour = number(index + 1..<index + 3), bytes[index + 3] == 0x3A,
                  let zoneMinute = number(index + 4..<index + 6) else { return nil }
            offset = (zoneHour * 3600 + zoneMinute * 60) * (bytes[index] == 0x2D ? -1 : 1)
        default:
            return nil
        }
        // Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}

/// `get -o json|yaml|name`: what kubectl prints for a list.
public enum FluxListOutput {
    public enum Format: String, CaseIterable, Sendable {
        case json, yaml, name
    }

    /// `{apiVersion: v1, kind: List, items: […], metadata: {resourceVersion: ""}}`, managedFields hidden as kubectl does.
    public static func list(_ objects: [JSONValue]) -> JSONValue {
        [
            "apiVersion": "v1",
            "kind": "List",
            "items": .array(objects.map(withoutManagedFields)),
            "metadata": ["resourceVersion": ""],
        ]
    }

    public static func render(_ objects: [JSONValue], format: Format) -> String {
        switch format {
        case .json: return CanonicalJSON.indented(list(objects))
        case .yaml: return KubeYAML.encode(list(objects))
        case .name:
            return objects.map { object in
                let name = object[path: "metadata", "name"]?.stringValue ?? ""
                if let kind = FluxKind(object: object) { return kind.resourceName(name) + "\n" }
                let kindName = (object["kind"]?.stringValue ?? "").lowercased()
                let group = (object["apiVersion"]?.stringValue ?? "").split(separator: "/").dropLast().first.map { ".\($0)" } ?? ""
                return "\(kindName)\(group)/\(name)\n"
            }.joined()
        }
    }

    static func withoutManagedFields(_ object: JSONValue) -> JSONValue {
        var copy = object
        copy.setValue(nil, at: ["metadata", "managedFields"])
        return copy
    }
}
