import Foundation
import Semver
import Testing
@testable import OCI

@Suite struct RegistryReferenceTests {
    @Test func parsesHostPortRepositoryAndTag() throws {
        let reference = try OCIReference(parsing: "oci://127.0.0.1:5000/org/app:v1.2.3")
        #expect(reference.registry == "127.0.0.1:5000")
        #expect(reference.apiHost == "127.0.0.1:5000")
        #expect(reference.repository == "org/app")
        #expect(reference.tag == "v1.2.3")
        #expect(reference.digest == nil)
        #expect(reference.description == "127.0.0.1:5000/org/app:v1.2.3")
    }

    @Test func missingTagMeansLatest() throws {
        let reference = try OCIReference(parsing: "oci://ghcr.io/org/config/app")
        #expect(reference.tag == "latest")
        #expect(reference.manifestReference == "latest")
        #expect(reference.repository == "org/config/app")
    }

    @Test func digestReferenceAndPinnedPrinting() throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let reference = try OCIReference(parsing: "oci://ghcr.io/org/app@\(digest)")
        #expect(reference.digest == digest)
        #expect(reference.tag == nil)
        #expect(reference.manifestReference == digest)
        #expect(reference.pinned(to: digest) == "ghcr.io/org/app@\(digest)")
        let both = try OCIReference(parsing: "oci://ghcr.io/org/app:v1@\(digest)")
        #expect(both.tag == "v1")
        #expect(both.manifestReference == digest)
    }

    @Test func withoutSchemeGivesFluxMessage() {
        #expect(throws: RegistryError.self) { try OCIReference(parsing: "ghcr.io/org/app") }
        do {
            _ = try OCIReference(parsing: "ghcr.io/org/app")
        } catch let error as RegistryError {
            #expect(error.description == "URL must be in format 'oci://<domain>/<org>/<repo>'")
            #expect(error.kind == .invalidReference)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func rejectsUppercaseRepositoryBadTagAndBadDigest() {
        #expect(throws: RegistryError.self) { try OCIReference(parsing: "oci://ghcr.io/Org/app") }
        #expect(throws: RegistryError.self) { try OCIReference(parsing: "oci://ghcr.io/org/app:-bad") }
        #expect(throws: RegistryError.self) { try OCIReference(parsing: "oci://ghcr.io/org/app:" + String(repeating: "a", count: 129)) }
        #expect(throws: RegistryError.self) { try OCIReference(parsing: "oci://ghcr.io/org/app@sha256:abc") }
        #expect(throws: RegistryError.self) { try OCIReference(parsing: "oci://ghcr.io/org//app") }
        #expect(throws: RegistryError.self) { try OCIReference(parsing: "oci://ghcr.io/org/a..b") }
        #expect(throws: RegistryError.self) { try OCIReference(parsing: "oci://ghcr.io/org/app_") }
    }

    @Test func acceptsNameGrammarSeparators() throws {
        for name in ["a.b", "a_b", "a__b", "a---b", "a0/b-c.d/e__f"] {
            let reference = try OCIReference(parsing: "oci://r.example/\(name)")
            #expect(reference.repository == name)
        }
    }

    @Test func dockerHubNormalisation() throws {
        let single = try OCIReference(parsing: "oci://docker.io/nginx")
        #expect(single.apiHost == "registry-1.docker.io")
        #expect(single.registry == "index.docker.io")
        #expect(single.repository == "library/nginx")
        let org = try OCIReference(parsing: "oci://docker.io/org/app:1")
        #expect(org.repository == "org/app")
        #expect(org.pinned(to: "sha256:x") == "index.docker.io/org/app@sha256:x")
        // First component without '.', ':' or localhost is not a host.
        let implicit = try OCIReference(parsing: "oci://org/app")
        #expect(implicit.apiHost == "registry-1.docker.io")
        #expect(implicit.repository == "org/app")
        let local = try OCIReference(parsing: "oci://localhost/app")
        #expect(local.apiHost == "localhost")
        #expect(local.isLoopback)
    }

    @Test func loopbackHosts() {
        #expect(OCIReference.isLoopbackHost("127.0.0.1:5000"))
        #expect(OCIReference.isLoopbackHost("localhost"))
        #expect(OCIReference.isLoopbackHost("[::1]:5000"))
        #expect(!OCIReference.isLoopbackHost("registry.example.com:5000"))
        #expect(!OCIReference.isLoopbackHost("10.0.0.1"))
    }
}

/// The semver ranges `list artifacts --filter-semver` applies (the same parser as `--tag-semver`).
@Suite struct SemverFilterTests {
    func matching(_ range: String, _ versions: [String]) throws -> [String] {
        let parsed = try SemverRange(parsing: range)
        return versions.filter { SemverVersion($0).map(parsed.contains) ?? false }
    }

    let versions = ["0.1.0", "0.2.3", "0.2.9", "0.3.0", "1.0.0", "1.2.0", "1.2.3", "1.2.9", "1.3.0", "1.9.9", "2.0.0", "2.0.0-rc.1", "v3.1"]

    @Test func comparatorRanges() throws {
        #expect(try matching(">=1.0.0 <2.0.0", versions) == ["1.0.0", "1.2.0", "1.2.3", "1.2.9", "1.3.0", "1.9.9"])
        #expect(try matching(">=1.0.0, <1.3", versions) == ["1.0.0", "1.2.0", "1.2.3", "1.2.9"])
        #expect(try matching(">2.0.0", versions) == ["v3.1"])
        #expect(try matching("<=1.2", versions) == ["0.1.0", "0.2.3", "0.2.9", "0.3.0", "1.0.0", "1.2.0", "1.2.3", "1.2.9"])
    }

    @Test func tildeCaretAndWildcards() throws {
        #expect(try matching("~1.2", versions) == ["1.2.0", "1.2.3", "1.2.9"])
        #expect(try matching("~1.2.3", versions) == ["1.2.3", "1.2.9"])
        #expect(try matching("^1.2.3", versions) == ["1.2.3", "1.2.9", "1.3.0", "1.9.9"])
        #expect(try matching("^0.2.3", versions) == ["0.2.3", "0.2.9"])
        #expect(try matching("1.x", versions) == ["1.0.0", "1.2.0", "1.2.3", "1.2.9", "1.3.0", "1.9.9"])
        #expect(try matching("1.2.*", versions) == ["1.2.0", "1.2.3", "1.2.9"])
        #expect(try matching("*", versions) == versions.filter { $0 != "2.0.0-rc.1" })
    }

    @Test func alternativesHyphenAndPrereleases() throws {
        #expect(try matching("<0.2 || >=2.0.0", versions) == ["0.1.0", "2.0.0", "v3.1"])
        #expect(try matching("1.2 - 1.3", versions) == ["1.2.0", "1.2.3", "1.2.9", "1.3.0"])
        #expect(try matching("1.2.3 - 1.3.0", versions) == ["1.2.3", "1.2.9", "1.3.0"])
        #expect(try matching(">=2.0.0-rc.0", versions) == ["2.0.0", "2.0.0-rc.1", "v3.1"])
        #expect(SemverVersion("2.0.0-rc.1")! < SemverVersion("2.0.0")!)
        #expect(SemverVersion("1.0.0-alpha.2")! < SemverVersion("1.0.0-alpha.10")!)
        #expect(SemverVersion("latest") == nil)
        #expect(throws: SemverError.self) { try SemverRange(parsing: ">=banana") }
    }
}
