import Testing
@testable import GitOpsCLI

@Test func GitOpsCLIModuleLinks() {
    #expect(Bool(true))
}
