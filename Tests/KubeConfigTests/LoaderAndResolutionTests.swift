import Foundation
import HTTPTransport
import Testing
@testable import KubeConfig

struct MergeTests {
    @Test func firstFileWinsWholeAndCurrentContextComesFromTheSecond() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try sandbox.write("a/config", KubeconfigFixture()
            .cluster("shared", server: "https://a.example:6443", [("certificate-authority", "ca.crt")])
            .user("shared", [("client-certificate", "certs/client.crt"), ("client-key", "certs/client.key")])
            .context("shared", cluster: "shared", user: "shared"))
        try sandbox.write("a/ca.crt", "CA-FROM-A")
        try sandbox.write("a/certs/client.crt", "CERT-FROM-A")
        try sandbox.write("a/certs/client.key", "KEY-FROM-A")
        try sandbox.write("b/config", KubeconfigFixture()
            .cluster("shared", server: "https://b.example:6443", [("proxy-url", "http://proxy.b:3128")])
            .cluster("only-b", server: "https://only-b.example", [("certificate-authority", "ca.crt")])
            .user("shared", [("token", "b-token")])
            .context("shared", cluster: "only-b", user: "shared", namespace: "from-b")
            .context("mixed", cluster: "only-b", user: "shared", namespace: "team")
            .currentContext("mixed"))
        try sandbox.write("b/ca.crt", "CA-FROM-B")

        let loader = sandbox.loader(kubeconfig: ["a/config", "b/config"], cwd: "elsewhere")
        let merged = try loader.load()
        #expect(merged.currentContext == "mixed")
        #expect(merged.clusters["shared"]?.server == "https://a.example:6443")
        #expect(merged.clusters["shared"]?.proxyURL == "", "fields of the losing stanza are not merged in")
        #expect(merged.authInfos["shared"]?.token == "", "the first file's user wins whole")
        #expect(merged.contexts["shared"]?.cluster == "shared")
        #expect(merged.clusters["only-b"]?.locationOfOrigin == sandbox.path("b/config"))

        // The context from b uses b's cluster (CA relative to b/) and a's user (certs relative to a/).
        let client = try loader.clientConfig(flags: KubeFlags())
        #expect(client.contextName == "mixed")
        #expect(client.namespace == "team")
        #expect(client.server.absoluteString == "https://only-b.example")
        #expect(client.transportOptions.caPEM == Data("CA-FROM-B".utf8))
        #expect(client.transportOptions.clientCertificatePEM == Data("CERT-FROM-A".utf8))
        #expect(client.transportOptions.clientKeyPEM == Data("KEY-FROM-A".utf8))
        #expect(client.authDescription == "client certificate")
    }

    @Test func kubeconfigListSkipsEmptyAndMissingEntriesAndDropsRepeats() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try sandbox.write("one", KubeconfigFixture().cluster("c", server: "https://one").currentContext("x"))
        let loader = KubeConfigLoader(environment: KubeEnvironment(
            variables: ["KUBECONFIG": "::\(sandbox.path("missing")):\(sandbox.path("one")):\(sandbox.path("one"))"],
            workingDirectory: sandbox.root))
        #expect(loader.candidateFiles(explicitPath: nil) == [sandbox.path("missing"), sandbox.path("one")])
        #expect(try loader.load().clusters["c"]?.server == "https://one")
        #expect(loader.candidateFiles(explicitPath: "flag") == ["flag"])
    }

    @Test func homeConfigIsTheFallback() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try sandbox.write("home/.kube/config", KubeconfigFixture().cluster("home", server: "https://home"))
        let loader = sandbox.loader(variables: ["KUBECONFIG": ""])
        #expect(try loader.load().clusters["home"]?.server == "https://home")
    }

    @Test func missingKubeconfigFlagFileFails() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        let loader = sandbox.loader()
        #expect(throws: KubeConfigError(.load, "stat nope.yaml: no such file or directory")) {
            try loader.clientConfig(flags: KubeFlags(kubeconfig: "nope.yaml"))
        }
    }

    @Test func malformedYAMLNamesTheFileAndLine() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        let file = try sandbox.write("broken", "apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: x\ncurrent-context: a\n")
        let loader = sandbox.loader(kubeconfig: ["broken"])
        do {
            _ = try loader.load()
            Issue.record("a broken file must fail")
        } catch let error as KubeConfigError {
            #expect(error.kind == .load)
            #expect(error.description.hasPrefix("error loading config file \"\(file)\": yaml: line "), "\(error)")
            #expect(error.description.contains("line 5") || error.description.contains("line 4"), "\(error)")
        }
    }

    @Test func unknownFieldsAreKeptInTheRawStanza() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try sandbox.write("config", KubeconfigFixture()
            .cluster("c", server: "https://c", [("futureField", ["a": "b"])])
            .field("futureTopLevel", .integer(7)))
        let config = try sandbox.loader(kubeconfig: ["config"]).load()
        #expect(config.clusters["c"]?.raw["futureField"] == ["a": "b"])
        #expect(config.raw["futureTopLevel"] == .integer(7))
    }
}

struct FlagTests {
    /// One kubeconfig with everything flags can override.
    static func sandbox() throws -> Sandbox {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try sandbox.write("conf/config", KubeconfigFixture()
            .cluster("main", server: "https://main.example:6443", [
                ("certificate-authority-data", .string(Data("CA-DATA".utf8).base64EncodedString())),
                ("tls-server-name", "main.internal"),
            ])
            .cluster("other", server: "https://other.example", [("insecure-skip-tls-verify", true)])
            .user("alice", [("tokenFile", "token")])
            .user("bob", [("exec", ["apiVersion": "client.authentication.k8s.io/v1", "command": "never-run-me", "interactiveMode": "Never"])])
            .user("carol")
            .context("main", cluster: "main", user: "alice", namespace: "apps")
            .context("plain", cluster: "main", user: "carol")
            .currentContext("main"))
        try sandbox.write("conf/token", "file-token\n")
        try sandbox.write("run/ca.pem", "CA-FROM-CWD")
        try sandbox.write("run/me.crt", "CERT-FROM-CWD")
        try sandbox.write("run/me.key", "KEY-FROM-CWD")
        return sandbox
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var flags: KubeFlags
        var check: @Sendable (ClientConfig) async throws -> Void
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "no flags", flags: KubeFlags()) { client async throws in
            #expect(client.server.absoluteString == "https://main.example:6443")
            #expect(client.transportOptions.tlsServerName == "main.internal")
            #expect(client.transportOptions.caPEM == Data("CA-DATA".utf8))
            #expect(client.namespace == "apps")
            #expect(try await client.credentials.credential() == .bearerToken("file-token"))
            #expect(client.authDescription.hasPrefix("token file /"))
            #expect(client.transportOptions.requestTimeout == nil)
        },
        Row(name: "--server drops tls-server-name", flags: KubeFlags(server: "https://other:1")) { client async throws in
            #expect(client.server.absoluteString == "https://other:1")
            #expect(client.transportOptions.tlsServerName == nil)
        },
        Row(name: "--server with --tls-server-name", flags: KubeFlags(server: "https://other:1", tlsServerName: "sni")) { client async throws in
            #expect(client.transportOptions.tlsServerName == "sni")
        },
        Row(name: "--certificate-authority relative to cwd replaces CA data", flags: KubeFlags(certificateAuthority: "ca.pem")) { client async throws in
            #expect(client.transportOptions.caPEM == Data("CA-FROM-CWD".utf8))
            #expect(client.transportOptions.insecureSkipTLSVerify == false)
        },
        Row(name: "--insecure-skip-tls-verify clears the CA", flags: KubeFlags(insecureSkipTLSVerify: true)) { client async throws in
            #expect(client.transportOptions.caPEM == nil)
            #expect(client.transportOptions.insecureSkipTLSVerify)
        },
        Row(name: "--client-certificate and --client-key relative to cwd", flags: KubeFlags(clientCertificate: "me.crt", clientKey: "me.key")) { client async throws in
            #expect(client.transportOptions.clientCertificatePEM == Data("CERT-FROM-CWD".utf8))
            #expect(client.transportOptions.clientKeyPEM == Data("KEY-FROM-CWD".utf8))
        },
        Row(name: "--token beats tokenFile", flags: KubeFlags(token: "flag-token")) { client async throws in
            #expect(try await client.credentials.credential() == .bearerToken("flag-token"))
            #expect(client.authDescription == "bearer token")
        },
        Row(name: "--token skips the exec plugin", flags: KubeFlags(user: "bob", token: "flag-token")) { client async throws in
            #expect(try await client.credentials.credential() == .bearerToken("flag-token"))
        },
        Row(name: "--username/--password", flags: KubeFlags(context: "plain", username: "u", password: "p")) { client async throws in
            #expect(try await client.credentials.credential() == .basic(username: "u", password: "p"))
            #expect(client.authDescription == "basic auth")
        },
        Row(name: "--context switches namespace", flags: KubeFlags(context: "plain")) { client async throws in
            #expect(client.contextName == "plain")
            #expect(client.namespace == "flux-system")
            #expect(try await client.credentials.credential() == .none)
        },
        Row(name: "-n beats the context", flags: KubeFlags(namespace: "other-ns")) { client async throws in
            #expect(client.namespace == "other-ns")
        },
        Row(name: "--cluster and --user", flags: KubeFlags(cluster: "other", user: "bob")) { client async throws in
            #expect(client.clusterName == "other")
            #expect(client.userName == "bob")
            #expect(client.transportOptions.insecureSkipTLSVerify)
            #expect(client.authDescription == "exec plugin never-run-me")
        },
        Row(name: "impersonation headers", flags: KubeFlags(impersonate: "jane", impersonateGroups: ["g1", "g2"], impersonateUID: "42",
                                                           impersonateUserExtra: ["reason": ["audit"]])) { client async throws in
            let headers = client.impersonationHeaders
            #expect(headers["Impersonate-User"] == "jane")
            #expect(headers.values(for: "Impersonate-Group") == ["g1", "g2"])
            #expect(headers["Impersonate-Uid"] == "42")
            #expect(headers["Impersonate-Extra-reason"] == "audit")
        },
        Row(name: "--request-timeout bare seconds", flags: KubeFlags(requestTimeout: "5")) { client async throws in
            #expect(client.transportOptions.requestTimeout == 5)
        },
        Row(name: "--request-timeout Go duration", flags: KubeFlags(requestTimeout: "1m30s")) { client async throws in
            #expect(client.transportOptions.requestTimeout == 90)
        },
        Row(name: "--request-timeout 0 means none", flags: KubeFlags(requestTimeout: "0")) { client async throws in
            #expect(client.transportOptions.requestTimeout == nil)
        },
        Row(name: "plain http server gets no credentials", flags: KubeFlags(server: "http://insecure.example:8080")) { client async throws in
            #expect(try await client.credentials.credential() == .none)
            #expect(client.transportOptions.clientCertificatePEM == nil)
        },
    ]

    @Test(arguments: rows)
    func flagOverride(_ row: Row) async throws {
        let sandbox = try Self.sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        var flags = row.flags
        flags.kubeconfig = "../conf/config"
        let client = try sandbox.loader(cwd: "run").clientConfig(flags: flags)
        try await row.check(client)
    }

    struct FailureRow: Sendable, CustomTestStringConvertible {
        var name: String
        var flags: KubeFlags
        var kubectlStderr: String
        var testDescription: String { name }
    }

    static let failures: [FailureRow] = [
        FailureRow(name: "unknown --context", flags: KubeFlags(context: "prod"), kubectlStderr: "error: context \"prod\" does not exist\n"),
        FailureRow(name: "unknown --cluster", flags: KubeFlags(cluster: "nope"), kubectlStderr: "error: cluster \"nope\" does not exist\n"),
        FailureRow(name: "unknown --user", flags: KubeFlags(user: "nope"), kubectlStderr: "error: auth info \"nope\" does not exist\n"),
        FailureRow(name: "--as-group without --as", flags: KubeFlags(impersonateGroups: ["g"]),
                   kubectlStderr: "Error in configuration: requesting uid, groups or user-extra for alice without impersonating a user\n"),
        FailureRow(name: "--as-uid without --as", flags: KubeFlags(impersonateUID: "1"),
                   kubectlStderr: "Error in configuration: requesting uid, groups or user-extra for alice without impersonating a user\n"),
        FailureRow(name: "token and basic auth", flags: KubeFlags(username: "u"),
                   kubectlStderr: "Error in configuration: more than one authentication method found for alice; found [token basicAuth], only one is allowed\n"),
        FailureRow(name: "certificate without key", flags: KubeFlags(context: "plain", clientCertificate: "me.crt"),
                   kubectlStderr: "Error in configuration: client-key-data or client-key must be specified for carol to use the clientCert authentication method.\n"),
        FailureRow(name: "unreadable --client-key", flags: KubeFlags(context: "plain", clientCertificate: "me.crt", clientKey: "gone.key"),
                   kubectlStderr: "Error in configuration: unable to read client-key ${RUN}/gone.key for carol due to open ${RUN}/gone.key: no such file or directory\n"),
        FailureRow(name: "bad --request-timeout", flags: KubeFlags(requestTimeout: "soon"),
                   kubectlStderr: "error: invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)\n"),
    ]

    @Test(arguments: failures)
    func flagFailure(_ row: FailureRow) throws {
        let sandbox = try Self.sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        var flags = row.flags
        flags.kubeconfig = "../conf/config"
        do {
            _ = try sandbox.loader(cwd: "run").clientConfig(flags: flags)
            Issue.record("\(row.name) must fail")
        } catch let error as KubeConfigError {
            #expect(error.kubectlStderr == row.kubectlStderr.replacingOccurrences(of: "${RUN}", with: sandbox.path("run")))
        }
    }

    @Test func unknownContextListsTheKnownOnesInOurMessage() throws {
        let sandbox = try Self.sandbox()
        do {
            _ = try sandbox.loader(cwd: "run").clientConfig(flags: KubeFlags(kubeconfig: "../conf/config", context: "prod"))
            Issue.record("must fail")
        } catch let error as KubeConfigError {
            #expect(error.description == "context \"prod\" not found in kubeconfig (known: main, plain)")
        }
    }

    @Test func emptyConfigurationExplainsWhatWasChecked() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        do {
            _ = try sandbox.loader().clientConfig(flags: KubeFlags())
            Issue.record("must fail")
        } catch let error as KubeConfigError {
            #expect(error.kind == .invalidConfiguration)
            #expect(error.description.contains(sandbox.path("home/.kube/config")))
        }
    }

    @Test func goDurations() {
        #expect(KubeFlags.parseGoDuration("1h30m") == 5400)
        #expect(KubeFlags.parseGoDuration("1.5s") == 1.5)
        #expect(KubeFlags.parseGoDuration("250ms") == 0.25)
        #expect(KubeFlags.parseGoDuration("5") == nil)
        #expect(KubeFlags.parseGoDuration("") == nil)
    }
}

struct AuthProviderTests {
    @Test func oidcUsesTheIDTokenAndGCPIsRemoved() async throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try sandbox.write("config", KubeconfigFixture()
            .cluster("c", server: "https://c.example")
            .user("oidc", [("auth-provider", ["name": "oidc", "config": ["id-token": "the-id-token", "refresh-token": "r"]])])
            .user("gcp", [("auth-provider", ["name": "gcp", "config": ["access-token": "x"]])])
            .context("oidc", cluster: "c", user: "oidc")
            .context("gcp", cluster: "c", user: "gcp"))
        let loader = sandbox.loader(kubeconfig: ["config"])
        let oidc = try loader.clientConfig(flags: KubeFlags(context: "oidc"))
        #expect(try await oidc.credentials.credential() == .bearerToken("the-id-token"))
        #expect(oidc.authDescription == "oidc id-token")

        let gcp = try loader.clientConfig(flags: KubeFlags(context: "gcp"))
        await #expect(throws: KubeConfigError.self) { try await gcp.credentials.credential() }
        do {
            _ = try await gcp.credentials.credential()
        } catch let error as KubeConfigError {
            #expect(error.description.hasPrefix("The gcp auth plugin has been removed."))
        }
    }
}

struct TokenFileTests {
    @Test func tokenFileIsReadAgainWhenItChanges() async throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        let tokenPath = try sandbox.write("token", "first\n")
        let provider = TokenFileCredentialProvider(path: tokenPath, fileSystem: LocalFileSystem())
        #expect(try await provider.credential() == .bearerToken("first"))

        try sandbox.write("token", "second\n")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: tokenPath)
        #expect(try await provider.credential() == .bearerToken("second"))

        // A rotation in progress (file briefly gone) keeps the last good token.
        try FileManager.default.removeItem(atPath: tokenPath)
        #expect(try await provider.credential() == .bearerToken("second"))
    }

    @Test func missingTokenFileFailsWhenTheClientIsBuilt() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try sandbox.write("conf/config", KubeconfigFixture()
            .cluster("c", server: "https://c.example")
            .user("u", [("tokenFile", "secrets/token")])
            .context("x", cluster: "c", user: "u")
            .currentContext("x"))
        #expect(throws: KubeConfigError(.other, "open \(sandbox.path("conf/secrets/token")): no such file or directory")) {
            try sandbox.loader(kubeconfig: ["conf/config"]).clientConfig(flags: KubeFlags())
        }
    }
}

struct InClusterTests {
    static func serviceAccount(_ sandbox: Sandbox) throws {
        try sandbox.write("serviceaccount/token", "sa-token\n")
        try sandbox.write("serviceaccount/ca.crt", "SA-CA")
        try sandbox.write("serviceaccount/namespace", "from-file\n")
    }

    @Test func usedWhenNoKubeconfigExists() async throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try Self.serviceAccount(sandbox)
        let loader = sandbox.loader(variables: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"])
        let client = try loader.clientConfig(flags: KubeFlags())
        #expect(client.isInCluster)
        #expect(client.server.absoluteString == "https://[fd00::1]:443")
        #expect(client.transportOptions.caPEM == Data("SA-CA".utf8))
        #expect(client.namespace == "from-file")
        #expect(try await client.credentials.credential() == .bearerToken("sa-token"))
        #expect(client.authDescription == "token file \(sandbox.path("serviceaccount/token"))")
    }

    @Test func namespacePrecedence() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try Self.serviceAccount(sandbox)
        let variables = ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443", "POD_NAMESPACE": "from-env"]
        let loader = sandbox.loader(variables: variables)
        #expect(try loader.clientConfig(flags: KubeFlags()).namespace == "from-env")
        #expect(try loader.clientConfig(flags: KubeFlags(namespace: "flag")).namespace == "flag")
        #expect(try loader.clientConfig(flags: KubeFlags(server: "https://override:1")).server.absoluteString == "https://override:1")
    }

    @Test func kubeconfigWins() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try Self.serviceAccount(sandbox)
        try sandbox.write("config", KubeconfigFixture().cluster("c", server: "https://kc").user("u").context("x", cluster: "c", user: "u").currentContext("x"))
        let loader = sandbox.loader(kubeconfig: ["config"], variables: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"])
        let client = try loader.clientConfig(flags: KubeFlags())
        #expect(!client.isInCluster)
        #expect(client.server.absoluteString == "https://kc")
    }

    @Test func notPossibleWithoutTheTokenFile() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        let loader = sandbox.loader(variables: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"])
        #expect(try loader.inClusterConfig(flags: KubeFlags()) == nil)
    }
}

struct SerializationTests {
    @Test func writingBackKeepsUnknownFieldsAndExtensions() throws {
        let yaml = """
            apiVersion: v1
            kind: Config
            futureTopLevel: {keep: me}
            clusters:
            - name: c
              cluster:
                server: https://c.example
                futureClusterField: 3
                extensions:
                - name: ext
                  extension: {b: 1, a: [x]}
            users:
            - name: u
              user:
                token: secret
                futureUserField: true
            contexts:
            - name: x
              context: {cluster: c, user: u, namespace: ns}
            current-context: x
            """
        var config = try KubeConfig(yaml: yaml)
        config.clusters["c"]?.server = "https://changed.example"
        config.authInfos["u"]?.token = ""
        let reread = try KubeConfig(yaml: try config.yaml())
        #expect(reread.clusters["c"]?.server == "https://changed.example")
        #expect(reread.clusters["c"]?.raw["futureClusterField"] == .integer(3))
        #expect(reread.clusters["c"]?.extensions == [NamedExtension(name: "ext", payload: ["a": ["x"], "b": .integer(1)])])
        #expect(reread.authInfos["u"]?.raw["futureUserField"] == true)
        #expect(reread.authInfos["u"]?.raw["token"] == nil, "a field cleared in the model is not resurrected from raw")
        #expect(reread.raw["futureTopLevel"] == ["keep": "me"])
        #expect(reread.contexts["x"]?.namespace == "ns")
        #expect(reread.currentContext == "x")

        // Codable goes through the same rules.
        let json = try JSONEncoder().encode(config)
        let decoded = try JSONDecoder().decode(KubeConfig.self, from: json)
        #expect(decoded.clusters["c"]?.server == "https://changed.example")
        #expect(decoded.clusters["c"]?.raw["futureClusterField"] == .integer(3))
    }

    @Test func yamlOneOneBooleansAreNotNames() throws {
        #expect(throws: KubeConfigError(.load, "json: cannot unmarshal bool into Go struct field NamedContext.contexts.name of type string")) {
            try KubeConfig(yaml: "contexts:\n- name: on\n  context: {cluster: c}\n")
        }
        #expect(try KubeConfig(yaml: "contexts:\n- name: \"on\"\n  context: {cluster: c}\n").contextNames == ["on"])
    }
}

struct SharedExecCacheTests {
    @Test func buildingTheClientTwiceReusesTheProvider() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try sandbox.write("config", KubeconfigFixture()
            .cluster("c", server: "https://c.example")
            .user("u", [("exec", ["apiVersion": "client.authentication.k8s.io/v1", "command": .string(sandbox.path("plugin")), "interactiveMode": "Never"])])
            .context("x", cluster: "c", user: "u")
            .currentContext("x"))
        let loader = sandbox.loader(kubeconfig: ["config"])
        let first = try loader.clientConfig(flags: KubeFlags()).credentials as? ExecCredentialProvider
        let second = try loader.clientConfig(flags: KubeFlags()).credentials as? ExecCredentialProvider
        #expect(first != nil)
        #expect(first === second)
    }
}

struct YAMLDialectTests {
    @Test func anchorsAliasesAndMergeKeys() throws {
        let config = try KubeConfig(yaml: """
            clusters:
            - name: base
              cluster: &base {server: https://base.example, insecure-skip-tls-verify: true}
            - name: derived
              cluster:
                <<: *base
                server: https://derived.example
            """)
        #expect(config.clusters["derived"]?.server == "https://derived.example")
        #expect(config.clusters["derived"]?.insecureSkipTLSVerify == true)
        #expect(config.clusters["base"]?.server == "https://base.example")
    }
}

struct HintTests {
    @Test func danglingCurrentContextListsTheKnownOnes() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try sandbox.write("config", KubeconfigFixture()
            .cluster("c", server: "https://c.example").user("u")
            .context("dev", cluster: "c", user: "u").context("staging", cluster: "c", user: "u")
            .currentContext("prod"))
        do {
            _ = try sandbox.loader(kubeconfig: ["config"]).clientConfig(flags: KubeFlags())
            Issue.record("must fail")
        } catch let error as KubeConfigError {
            #expect(error.kubectlStderr == "Error in configuration: context was not found for specified context: prod\n")
            #expect(error.hints == ["current-context \"prod\" names no context (known: dev, staging); pass --context or fix current-context"])
        }
    }

    @Test func unreadableRelativeFilesSayWhereTheyWereResolvedFrom() throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        let file = try sandbox.write("conf/config", KubeconfigFixture()
            .cluster("c", server: "https://c.example")
            .user("alice", [("client-certificate", "certs/a.crt"), ("client-key", "certs/a.key")])
            .context("x", cluster: "c", user: "alice")
            .currentContext("x"))
        try sandbox.write("conf/certs/a.crt", "CERT")
        do {
            _ = try sandbox.loader(kubeconfig: ["conf/config"], cwd: "elsewhere").clientConfig(flags: KubeFlags())
            Issue.record("must fail")
        } catch let error as KubeConfigError {
            let key = sandbox.path("conf/certs/a.key")
            #expect(error.kubectlStderr == "Error in configuration: unable to read client-key \(key) for alice due to open \(key): no such file or directory\n")
            #expect(error.description.contains("hint: client-key \"certs/a.key\" is relative to the folder of \(file), where it is written"))
            #expect(error.hints.count == 1, "the readable certificate gets no hint")
        }
    }
}
