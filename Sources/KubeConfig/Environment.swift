import Foundation

/// A failed file access, worded like Go's *PathError (`open /x: no such file or directory`).
public struct FileAccessError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var reason: String

    public init(operation: String, path: String, reason: String) {
        self.operation = operation
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(operation) \(path): \(reason)" }
    public var isNotFound: Bool { reason == "no such file or directory" }
}

/// File access the loader and the credential providers need; tests may substitute it.
public protocol KubeFileSystem: Sendable {
    /// Reads a whole file; `displayPath` is the name used in error messages.
    func contents(of path: String) throws -> Data
    /// `stat`: nil when the file exists, else the error.
    func statError(_ path: String) -> FileAccessError?
    func modificationDate(of path: String) -> Date?
    func isExecutableFile(_ path: String) -> Bool
}

public struct LocalFileSystem: KubeFileSystem {
    public init() {}

    public func contents(of path: String) throws -> Data {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw FileAccessError(operation: "open", path: path, reason: LocalFileSystem.reason(errno: errno))
        }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw FileAccessError(operation: "read", path: path, reason: "is a directory")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        return handle.readDataToEndOfFile()
    }

    public func statError(_ path: String) -> FileAccessError? {
        var info = stat()
        if stat(path, &info) == 0 { return nil }
        return FileAccessError(operation: "stat", path: path, reason: LocalFileSystem.reason(errno: errno))
    }

    public func modificationDate(of path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    public func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }

    static func reason(errno code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file or directory"
        case EACCES: return "permission denied"
        case EISDIR: return "is a directory"
        case ENOTDIR: return "not a directory"
        default: return String(cString: strerror(code)).lowercased()
        }
    }
}

/// Where an exec plugin's stderr goes.
public enum PluginErrorOutput: Sendable {
    /// Straight to our stderr (the CLI: the user sees prompts and messages as they come).
    case inherit
    /// Collected and handed over when the plugin exits (tests).
    case capture(@Sendable (Data) -> Void)
}

/// Asks for a basic-auth user name the way kubectl does when a TLS cluster has no credentials at all.
public struct UsernamePrompt: Sendable {
    public var write: @Sendable (String) -> Void
    /// One line without its newline; nil at end of input.
    public var readLine: @Sendable () -> String?

    public init(write: @escaping @Sendable (String) -> Void, readLine: @escaping @Sendable () -> String?) {
        self.write = write
        self.readLine = readLine
    }
}

/// Everything outside the process the kubeconfig code looks at, injectable so tests never touch the real home,
/// terminal or service account.
public struct KubeEnvironment: Sendable {
    public var variables: [String: String]
    public var workingDirectory: String
    /// `$HOME`; nil when unset (then there is no default kubeconfig).
    public var homeDirectory: String?
    public var fileSystem: any KubeFileSystem
    public var stdinIsTerminal: Bool
    /// Where in-cluster credentials live.
    public var serviceAccountDirectory: String
    public var pluginErrorOutput: PluginErrorOutput
    /// nil: never prompt (a cluster without credentials is used anonymously).
    public var usernamePrompt: UsernamePrompt?
    public var now: @Sendable () -> Date

    public init(
        variables: [String: String],
        workingDirectory: String,
        homeDirectory: String? = nil,
        fileSystem: any KubeFileSystem = LocalFileSystem(),
        stdinIsTerminal: Bool = false,
        serviceAccountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount",
        pluginErrorOutput: PluginErrorOutput = .inherit,
        usernamePrompt: UsernamePrompt? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.variables = variables
        self.workingDirectory = workingDirectory
        self.homeDirectory = homeDirectory ?? variables["HOME"]
        self.fileSystem = fileSystem
        self.stdinIsTerminal = stdinIsTerminal
        self.serviceAccountDirectory = serviceAccountDirectory
        self.pluginErrorOutput = pluginErrorOutput
        self.usernamePrompt = usernamePrompt
        self.now = now
    }

    /// The real process environment.
    public static func current() -> KubeEnvironment {
        KubeEnvironment(
            variables: ProcessInfo.processInfo.environment,
            workingDirectory: FileManager.default.currentDirectoryPath,
            stdinIsTerminal: isatty(STDIN_FILENO) == 1
        )
    }

    /// `path` made absolute against the working directory and cleaned.
    public func absolutePath(_ path: String) -> String {
        PathRules.clean(path.hasPrefix("/") ? path : workingDirectory + "/" + path)
    }
}

/// Go's lexical path rules (filepath.Clean / Join / Dir), which decide the paths kubectl reports.
public enum PathRules {
    public static func clean(_ path: String) -> String {
        if path.isEmpty { return "." }
        let rooted = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." { parts.removeLast(); continue }
                if rooted { continue }
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if rooted { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    public static func directory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return clean(String(path[..<slash].isEmpty ? "/" : path[..<slash]))
    }

    /// A kubeconfig reference resolved against the folder of the file that holds it; absolute and empty stay.
    public static func resolve(_ path: String, relativeToFile origin: String) -> String {
        if path.isEmpty || path.hasPrefix("/") || origin.isEmpty { return path }
        return clean(directory(origin) + "/" + path)
    }
}
