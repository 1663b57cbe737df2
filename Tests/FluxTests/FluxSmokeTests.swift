import Testing
@testable import Flux

@Test func FluxModuleLinks() {
    #expect(Bool(true))
}
