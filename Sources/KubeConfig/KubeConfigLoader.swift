import Foundation

// Module map: KubeConfigLoader (find, read, merge files) → KubeConfig (model, keeps raw YAML per stanza)
// → clientConfig(flags:) (kubectl precedence, client-go validation) → ClientConfig (server, TransportOptions,
// impersonation headers, CredentialProvider). ConfigView renders `kubectl config view -o json`.
// Error wording: KubeConfigError.problems/kubectlStderr match kubectl exactly; description adds our hints.

/// Finds, reads and merges kubeconfig files exactly as kubectl does (client-go's ClientConfigLoadingRules).
public struct KubeConfigLoader: Sendable {
    public var environment: KubeEnvironment

    public init(environment: KubeEnvironment = .current()) {
        self.environment = environment
    }

    /// What to do when `--kubeconfig` names a file that does not exist.
    public enum MissingExplicitFile: Sendable {
        /// Normal commands: `stat FILE: no such file or directory`.
        case fail
        /// `config view`: an empty config (kubectl's surprising behaviour, kept for parity).
        case empty
        /// `config view --merge=false`: `open FILE: no such file or directory`.
        case failOnOpen
    }

    /// The files that would be read, in priority order: the `--kubeconfig` file alone, else the KUBECONFIG list
    /// (empty entries and exact repeats dropped), else `~/.kube/config`.
    public func candidateFiles(explicitPath: String?) -> [String] {
        if let explicitPath, !explicitPath.isEmpty { return [explicitPath] }
        if let list = environment.variables["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            return list.split(separator: ":", omittingEmptySubsequences: true).map(String.init).filter { seen.insert($0).inserted }
        }
        guard let home = environment.homeDirectory, !home.isEmpty else { return [] }
        return [PathRules.clean(home + "/.kube/config")]
    }

    /// Loads and merges the kubeconfig files. Paths inside stanzas stay as written; each stanza records its file.
    public func load(explicitPath: String? = nil, missingExplicitFile: MissingExplicitFile = .fail) throws -> KubeConfig {
        let files = candidateFiles(explicitPath: explicitPath)
        let isExplicit = explicitPath.map { !$0.isEmpty } ?? false
        var merged = KubeConfig()
        var loadedAny = false
        var problems: [String] = []
        for file in files {
            let absolute = environment.absolutePath(file)
            if let statError = environment.fileSystem.statError(absolute) {
                if isExplicit {
                    switch missingExplicitFile {
                    case .fail: throw KubeConfigError(.load, FileAccessError(operation: "stat", path: file, reason: statError.reason).description)
                    case .failOnOpen: throw KubeConfigError(.load, FileAccessError(operation: "open", path: file, reason: statError.reason).description)
                    case .empty: return KubeConfig()
                    }
                }
                if statError.isNotFound { continue }
            }
            do {
                let config = try loadFile(file)
                if loadedAny { merged.merge(lowerPriority: config) } else { merged = config }
                loadedAny = true
            } catch let error as KubeConfigError {
                problems += error.problems
            }
        }
        if !problems.isEmpty { throw KubeConfigError(.load, problems) }
        return merged
    }

    /// Reads one file; stanzas remember it (absolute) as their origin.
    public func loadFile(_ file: String) throws -> KubeConfig {
        let absolute = environment.absolutePath(file)
        let data: Data
        do {
            data = try environment.fileSystem.contents(of: absolute)
        } catch let error as FileAccessError {
            throw KubeConfigError(.load, "error loading config file \"\(file)\": \(FileAccessError(operation: error.operation, path: file, reason: error.reason))")
        }
        var config: KubeConfig
        do {
            config = try KubeConfigDecoder.decode(yaml: String(decoding: data, as: UTF8.self))
        } catch let failure as KubeConfigDecoder.Failure {
            throw KubeConfigError(.load, "error loading config file \"\(file)\": \(failure.message)")
        }
        for name in config.clusters.keys { config.clusters[name]?.locationOfOrigin = absolute }
        for name in config.authInfos.keys { config.authInfos[name]?.locationOfOrigin = absolute }
        for name in config.contexts.keys { config.contexts[name]?.locationOfOrigin = absolute }
        return config
    }

    /// The file new stanzas would be written to (client-go's GetDefaultFilename), for commands that edit.
    public func defaultFileForWriting(explicitPath: String?) -> String? {
        if let explicitPath, !explicitPath.isEmpty { return explicitPath }
        let files = candidateFiles(explicitPath: nil)
        if environment.variables["KUBECONFIG"].map({ !$0.isEmpty }) ?? false {
            if files.count == 1 { return files[0] }
            return files.first { environment.fileSystem.statError(environment.absolutePath($0)) == nil } ?? files.last
        }
        return files.first
    }
}

extension KubeConfig {
    /// A copy whose certificate, key, token-file and exec command paths are absolute, each resolved against the
    /// folder of the file that defined its stanza (a bare exec command is left for a PATH lookup).
    public func resolvingLocalPaths() -> KubeConfig {
        var copy = self
        for (name, cluster) in clusters {
            copy.clusters[name]?.certificateAuthority = PathRules.resolve(cluster.certificateAuthority, relativeToFile: cluster.locationOfOrigin)
        }
        for (name, user) in authInfos {
            let origin = user.locationOfOrigin
            copy.authInfos[name]?.clientCertificate = PathRules.resolve(user.clientCertificate, relativeToFile: origin)
            copy.authInfos[name]?.clientKey = PathRules.resolve(user.clientKey, relativeToFile: origin)
            copy.authInfos[name]?.tokenFile = PathRules.resolve(user.tokenFile, relativeToFile: origin)
            if let command = user.exec?.command, command.contains("/") {
                copy.authInfos[name]?.exec?.command = PathRules.resolve(command, relativeToFile: origin)
            }
        }
        return copy
    }
}
