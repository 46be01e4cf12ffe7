// SPDX-License-Identifier: Apache-2.0
// A minimal C++ consumer of the installed header library (target ltv::ltv).
#include <cmath>
#include <iostream>

#include <ltv/ltv.hpp>

int main() {
    const double lost = ltv::lost_profit(65, 5, 1, 30000);
    if (std::fabs(lost - 7800000) > 1e-6) {
        std::cerr << "consumer.cpp: unexpected lost profit " << lost << "\n";
        return 1;
    }
    std::cout << "consumer.cpp: ltv " << ltv::version_string << ", lost profit " << lost << "\n";
    return 0;
}
