// Must not compile: a conformance test without a parity marker. The
// conformance.marker_required test checks the compiler says why.
#include "conformance/conformance.h"

namespace mns::conformance {

class Unmarked : public ConformanceTest {};

TEST_F(Unmarked, HasNoMarker) {}

}  // namespace mns::conformance
