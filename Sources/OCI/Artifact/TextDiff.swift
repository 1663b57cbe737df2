import Foundation

/// Line-based unified diff (Myers' O(ND) algorithm) for the small text files of an artifact.
public enum TextDiff {
    enum Operation: Equatable { case equal, delete, insert }

    /// Beyond this many edits the middle part is reported as replaced wholesale, which keeps memory and time bounded.
    static let maxEdits = 2000

    /// A unified diff with `context` lines around each change, or "" when the texts are equal.
    public static func unified(old: String, new: String, oldLabel: String, newLabel: String, context: Int = 3) -> String {
        let oldLines = lines(of: old)
        let newLines = lines(of: new)
        let script = editScript(oldLines.map(\.text), newLines.map(\.text))
        guard script.contains(where: { $0 != .equal }) else { return "" }

        // Pair each operation with its line indices.
        var steps: [(op: Operation, oldIndex: Int, newIndex: Int)] = []
        var i = 0, j = 0
        for op in script {
            steps.append((op, i, j))
            switch op {
            case .equal: i += 1; j += 1
            case .delete: i += 1
            case .insert: j += 1
            }
        }

        var output = "--- \(oldLabel)\n+++ \(newLabel)\n"
        var index = 0
        while index < steps.count {
            guard let firstChange = steps[index...].firstIndex(where: { $0.op != .equal }) else { break }
            let start = max(index, firstChange - context)
            // Extend the hunk while the gap of equal lines to the next change is at most 2 * context.
            var end = firstChange
            var cursor = firstChange
            while cursor < steps.count {
                if steps[cursor].op != .equal {
                    end = cursor
                    cursor += 1
                    continue
                }
                let nextChange = steps[cursor...].firstIndex(where: { $0.op != .equal })
                if let next = nextChange, next - cursor <= 2 * context {
                    cursor = next
                } else {
                    break
                }
            }
            let stop = min(steps.count, end + 1 + context)
            let hunk = steps[start..<stop]
            let oldCount = hunk.filter { $0.op != .insert }.count
            let newCount = hunk.filter { $0.op != .delete }.count
            let oldStart = hunk.first!.oldIndex + (oldCount == 0 ? 0 : 1)
            let newStart = hunk.first!.newIndex + (newCount == 0 ? 0 : 1)
            output += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for step in hunk {
                let line: Line
                switch step.op {
                case .equal: line = oldLines[step.oldIndex]; output += " "
                case .delete: line = oldLines[step.oldIndex]; output += "-"
                case .insert: line = newLines[step.newIndex]; output += "+"
                }
                output += line.text + "\n"
                if !line.terminated { output += "\\ No newline at end of file\n" }
            }
            index = stop
        }
        return output
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        count == 1 ? "\(start)" : "\(start),\(count)"
    }

    struct Line {
        var text: String
        var terminated: Bool
    }

    static func lines(of text: String) -> [Line] {
        var result = text.split(separator: "\n", omittingEmptySubsequences: false).map { Line(text: String($0), terminated: true) }
        if result.last?.text.isEmpty == true {
            result.removeLast() // text ended with a newline
        } else if !result.isEmpty {
            result[result.count - 1].terminated = false
        }
        return result
    }

    /// Shortest edit script from `a` to `b`: common prefix and suffix first, Myers on the rest.
    static func editScript(_ a: [String], _ b: [String]) -> [Operation] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let middleA = Array(a[prefix..<(a.count - suffix)])
        let middleB = Array(b[prefix..<(b.count - suffix)])
        let middle = myers(middleA, middleB)
            ?? Array(repeating: .delete, count: middleA.count) + Array(repeating: .insert, count: middleB.count)
        return Array(repeating: .equal, count: prefix) + middle + Array(repeating: .equal, count: suffix)
    }

    /// Myers' greedy algorithm keeping each round's frontier for the backtrack; nil past `maxEdits`.
    private static func myers(_ a: [String], _ b: [String]) -> [Operation]? {
        let n = a.count, m = b.count
        if n == 0 { return Array(repeating: .insert, count: m) }
        if m == 0 { return Array(repeating: .delete, count: n) }
        let limit = min(n + m, maxEdits)
        // frontier[d][k + d] = furthest x on diagonal k after d edits.
        var frontiers: [[Int]] = []
        var previous: [Int] = [0] // d = -1 conceptually: x = 0 on diagonal 1 is handled below
        var found = false
        for d in 0...limit {
            var current = [Int](repeating: 0, count: 2 * d + 1)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if d == 0 {
                    x = 0
                } else if k == -d || (k != d && previous[k + 1 + (d - 1)] > previous[k - 1 + (d - 1)]) {
                    x = previous[k + 1 + (d - 1)] // down: insertion
                } else {
                    x = previous[k - 1 + (d - 1)] + 1 // right: deletion
                }
                var y = x - k
                while x < n && y < m && a[x] == b[y] { x += 1; y += 1 }
                current[k + d] = x
                if x >= n && y >= m { found = true }
            }
            frontiers.append(current)
            previous = current
            if found { break }
        }
        guard found else { return nil }

        var operations: [Operation] = []
        var x = n, y = m
        for d in stride(from: frontiers.count - 1, through: 1, by: -1) {
            let k = x - y
            let before = frontiers[d - 1]
            let down = k == -d || (k != d && before[k + 1 + (d - 1)] > before[k - 1 + (d - 1)])
            let previousK = down ? k + 1 : k - 1
            let previousX = before[previousK + (d - 1)]
            let previousY = previousX - previousK
            while x > (down ? previousX : previousX + 1) && y > (down ? previousY + 1 : previousY) {
                operations.append(.equal)
                x -= 1; y -= 1
            }
            operations.append(down ? .insert : .delete)
            x = previousX
            y = previousY
        }
        while x > 0 && y > 0 { operations.append(.equal); x -= 1; y -= 1 }
        return operations.reversed()
    }
}
