import Foundation

/// What goes into the artifact's tarball.
public enum ArtifactSource: Sendable, Equatable {
    /// A directory: entry `.` for the directory itself, then its content relative to it.
    case directory(path: String)
    /// One file: entries `.` and the file's base name (its permission bits kept).
    case file(path: String)
    /// Content read from standard input (`--path=-`): trailing `\r`/`\n` bytes are trimmed and it is stored as
    /// `ArtifactSource.standardInputFileName` with mode 0644, so identical input always gives an identical digest.
    case standardInput(Data)

    /// Fixed name of the single file made from standard input (flux uses a random name, which defeats reproducibility).
    public static let standardInputFileName = "resources.yaml"
    /// Permission bits of the file made from standard input.
    public static let standardInputFileMode: UInt32 = 0o644
    /// Permission bits of the synthetic `.` entry of a single-file or stdin artifact (there is no directory on disk).
    public static let syntheticRootMode: UInt32 = 0o755

    /// `.directory` or `.file` for a path on disk, `.standardInput` when the path is `-`.
    public static func resolve(path: String, readStandardInput: () throws -> Data) throws -> ArtifactSource {
        if path == "-" { return .standardInput(try readStandardInput()) }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ArtifactError(.pathNotFound, "invalid path '\(path)': \(String(cString: strerror(errno))); pass an existing file or directory, or '-' for stdin")
        }
        return (info.st_mode & S_IFMT) == S_IFDIR ? .directory(path: path) : .file(path: path)
    }

    /// Standard-input content as stored: trailing carriage returns and line feeds removed.
    public static func trimmedStandardInput(_ data: Data) -> Data {
        var end = data.endIndex
        while end > data.startIndex, data[end - 1] == 0x0A || data[end - 1] == 0x0D { end -= 1 }
        return data.subdata(in: data.startIndex..<end)
    }
}

/// How the tarball is made and compressed.
public struct ArtifactBuildOptions: Sendable, Equatable {
    /// flux's default `--ignore-paths` (VCS files and a few binary extensions).
    public static let defaultIgnorePaths = [
        ".git/", ".gitignore", ".gitmodules", ".gitattributes",
        "*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip",
    ]
    /// The tar stream is cut into chunks of this size, each compressed as its own gzip member. Part of the output
    /// format: changing it changes every layer digest, so it is a constant and not an option.
    public static let chunkSize = 256 << 10

    /// Replaces `defaultIgnorePaths` when non-nil (gitignore syntax).
    public var ignorePaths: [String]?
    /// Added to whichever set applies.
    public var addIgnorePaths: [String]
    /// Follow symbolic links (copying the target's content and mode) instead of skipping them; cycles are broken.
    public var resolveSymlinks: Bool
    /// libdeflate level, 0...12.
    public var compressionLevel: Int
    /// Compressor threads; the output bytes never depend on it.
    public var threads: Int

    public init(ignorePaths: [String]? = nil, addIgnorePaths: [String] = [], resolveSymlinks: Bool = false,
                compressionLevel: Int = 6, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.ignorePaths = ignorePaths
        self.addIgnorePaths = addIgnorePaths
        self.resolveSymlinks = resolveSymlinks
        self.compressionLevel = compressionLevel
        self.threads = threads
    }

    /// The patterns in force: the replacement set (or the defaults) followed by the added ones.
    public var effectiveIgnorePatterns: [String] {
        (ignorePaths ?? Self.defaultIgnorePaths) + addIgnorePaths
    }
}
