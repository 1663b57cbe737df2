import Foundation

/// One entry of the artifact's tarball, before it is written.
struct ArtifactEntry {
    enum Kind { case directory, file }
    enum Content {
        case none
        case disk(path: String)
        case memory(Data)
    }

    /// `.` for the root, otherwise the `/`-separated path relative to the root, without a trailing `/`.
    var name: String
    var kind: Kind
    /// Permission bits including setuid, setgid and sticky.
    var mode: UInt32
    var size: UInt64
    var content: Content
}

/// Enumerates the entries of an artifact depth first, each directory's children in byte order, applying the ignore
/// rules and the symlink policy. Only metadata of one directory level at a time is held.
struct ArtifactWalker {
    let source: ArtifactSource
    let matcher: IgnoreMatcher
    let resolveSymlinks: Bool

    init(source: ArtifactSource, options: ArtifactBuildOptions) {
        self.source = source
        self.matcher = IgnoreMatcher(patterns: options.effectiveIgnorePatterns)
        self.resolveSymlinks = options.resolveSymlinks
    }

    func walk(_ visit: (ArtifactEntry) throws -> Void) throws {
        switch source {
        case .standardInput(let data):
            let content = ArtifactSource.trimmedStandardInput(data)
            try visit(ArtifactEntry(name: ".", kind: .directory, mode: ArtifactSource.syntheticRootMode, size: 0, content: .none))
            try visit(ArtifactEntry(name: ArtifactSource.standardInputFileName, kind: .file,
                                    mode: ArtifactSource.standardInputFileMode, size: UInt64(content.count), content: .memory(content)))
        case .file(let path):
            let info = try Self.status(of: path, following: true)
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                throw ArtifactError(.unreadable, "invalid path '\(path)': not a regular file or directory")
            }
            try visit(ArtifactEntry(name: ".", kind: .directory, mode: ArtifactSource.syntheticRootMode, size: 0, content: .none))
            try visit(ArtifactEntry(name: baseName(of: path), kind: .file, mode: UInt32(info.st_mode) & 0o7777,
                                    size: UInt64(info.st_size), content: .disk(path: path)))
        case .directory(let path):
            let info = try Self.status(of: path, following: true)
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw ArtifactError(.unreadable, "invalid path '\(path)': not a directory")
            }
            try visit(ArtifactEntry(name: ".", kind: .directory, mode: UInt32(info.st_mode) & 0o7777, size: 0, content: .none))
            var ancestors: [FileIdentity] = [FileIdentity(info)]
            try walkDirectory(diskPath: path, relativePath: "", ancestors: &ancestors, visit)
        }
    }

    private func walkDirectory(diskPath: String, relativePath: String, ancestors: inout [FileIdentity],
                               _ visit: (ArtifactEntry) throws -> Void) throws {
        let names = try listDirectory(diskPath)
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let childDisk = diskPath.hasSuffix("/") ? diskPath + name : diskPath + "/" + name
            let childRelative = relativePath.isEmpty ? name : relativePath + "/" + name
            var info = try Self.status(of: childDisk, following: false)
            if (info.st_mode & S_IFMT) == S_IFLNK {
                // flux drops symlinks unless asked to resolve them; a dangling link is dropped either way.
                guard resolveSymlinks, let target = try? Self.status(of: childDisk, following: true) else { continue }
                info = target
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                let identity = FileIdentity(info)
                if ancestors.contains(identity) { continue } // a link back to an ancestor: break the cycle
                if !matcher.isIgnored(childRelative, isDirectory: true) {
                    try visit(ArtifactEntry(name: childRelative, kind: .directory, mode: UInt32(info.st_mode) & 0o7777, size: 0, content: .none))
                }
                // An ignored directory's own entry is skipped, but its children are matched one by one (flux).
                ancestors.append(identity)
                try walkDirectory(diskPath: childDisk, relativePath: childRelative, ancestors: &ancestors, visit)
                ancestors.removeLast()
            case S_IFREG:
                if matcher.isIgnored(childRelative, isDirectory: false) { continue }
                try visit(ArtifactEntry(name: childRelative, kind: .file, mode: UInt32(info.st_mode) & 0o7777,
                                        size: UInt64(info.st_size), content: .disk(path: childDisk)))
            default:
                continue // devices, FIFOs, sockets
            }
        }
    }

    static func status(of path: String, following: Bool) throws -> stat {
        var info = stat()
        let result = following ? stat(path, &info) : lstat(path, &info)
        guard result == 0 else { throw ArtifactError.systemError(.unreadable, "cannot stat", path) }
        return info
    }
}

struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// Names in a directory (without `.` and `..`), read with readdir: lighter than FileManager, which matters for the
/// builder's memory budget.
func listDirectory(_ path: String) throws -> [String] {
    guard let directory = opendir(path) else { throw ArtifactError.systemError(.unreadable, "cannot list directory", path) }
    defer { closedir(directory) }
    var names: [String] = []
    while true {
        errno = 0
        guard let entry = readdir(directory) else {
            if errno != 0 { throw ArtifactError.systemError(.unreadable, "cannot list directory", path) }
            return names
        }
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
}

/// The last `/`-separated component, ignoring trailing slashes.
func baseName(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    return trimmed.split(separator: "/").last.map(String.init) ?? String(trimmed)
}
