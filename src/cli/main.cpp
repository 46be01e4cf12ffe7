// SPDX-License-Identifier: Apache-2.0
// src/cli/main.cpp — the `ltv` command-line tool.
//
// Exit codes: 0 success, 1 a computation or input error (message on stderr, naming the argument
// and value; also out of memory), 2 a usage error, 3 an internal error.
#include <exception>
#include <iostream>
#include <new>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "ltv/error.hpp"
#include "ltv/version.hpp"

int main(int argc, char** argv) {
    CLI::App app{"ltv — customer lifetime value and retention", "ltv"};
    app.require_subcommand(1);
    app.set_version_flag("--version", ltv::version_string);
    app.footer("Every command takes --json. Run `ltv COMMAND --help` for its options.");
    app.add_subcommand("version", "Print the ltv version")->callback([] {
        std::cout << "ltv " << ltv::version_string << "\n";
    });
    ltv::cli::add_calculator_commands(app);
    ltv::cli::add_model_commands(app);
    ltv::cli::add_demo_command(app);
    ltv::cli::add_transaction_commands(app);
    ltv::cli::add_compare_command(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);  // prints help to stdout, errors to stderr
        return code == 0 ? 0 : 2;
    } catch (const ltv::error& e) {
        std::cerr << "ltv: error: " << e.what() << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        // Input too large for this machine: an input error (exit 1), not a bug in ltv.
        std::cerr << "ltv: error: out of memory\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "ltv: internal error: " << e.what() << "\n";
        return 3;
    }
    return 0;
}
