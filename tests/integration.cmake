# Integration tests: every catalogue scenario is a ctest test (a red scenario
# fails the suite), plus the checks of the runner's contracts.
set(DIALSIM_BIN $<TARGET_FILE:dialsim>)
set(SCHEMA ${PROJECT_SOURCE_DIR}/docs/scenario.schema.json)
set(SCHEMA_CHECK ${CMAKE_CURRENT_SOURCE_DIR}/schema/check_schema.py)

file(GLOB_RECURSE DIALSIM_SCENARIOS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/*.json)
foreach(f IN LISTS DIALSIM_SCENARIOS)
  get_filename_component(n ${f} NAME_WE)
  add_test(NAME scenario.${n} COMMAND dialsim run ${f})
endforeach()

add_test(NAME runner.determinism
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_determinism.sh ${DIALSIM_BIN}
          ${PROJECT_SOURCE_DIR}/scenarios ${CMAKE_CURRENT_BINARY_DIR}/determinism)
add_test(NAME runner.invalid_inputs
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_invalid.sh ${DIALSIM_BIN} ${SCHEMA_CHECK} ${SCHEMA}
          ${CMAKE_CURRENT_SOURCE_DIR}/invalid)
add_test(NAME runner.world_invalid
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_world_invalid.sh ${DIALSIM_BIN}
          ${CMAKE_CURRENT_SOURCE_DIR}/world-invalid)
add_test(NAME runner.junit
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_junit.py ${DIALSIM_BIN}
          ${PROJECT_SOURCE_DIR}/scenarios/ao1-happy-path.json
          ${CMAKE_CURRENT_SOURCE_DIR}/failing/expect-wrong-status.json
          ${CMAKE_CURRENT_BINARY_DIR}/junit)
add_test(NAME runner.failing_scenario_exits_1
  COMMAND dialsim run ${CMAKE_CURRENT_SOURCE_DIR}/failing/expect-wrong-status.json)
set_tests_properties(runner.failing_scenario_exits_1 PROPERTIES WILL_FAIL TRUE)
# a journal expectation that matches nothing names the closest requests and the field that
# differs (issue 13: the near-miss text of serve's POST /_dialsim/verify)
add_test(NAME runner.journal_near_miss
  COMMAND dialsim run ${CMAKE_CURRENT_SOURCE_DIR}/failing/expect-journal-near-miss.json)
set_tests_properties(runner.journal_near_miss PROPERTIES PASS_REGULAR_EXPRESSION
  "closest requests:[^#]*#[0-9]+ POST /call [(]vapi, 201[)]: body.customer.number: expected .[+]15559990000., got .[+]15557654321.")
# The catalogue and the fixtures validate against the JSON Schema with a real
# validator (Debian's python3-jsonschema).
add_test(NAME schema.catalogue
  COMMAND /usr/bin/python3 ${SCHEMA_CHECK} ${SCHEMA} ${DIALSIM_SCENARIOS}
          ${PROJECT_SOURCE_DIR}/fixtures/scenario-example.json)
add_test(NAME scenario.fixture_example
  COMMAND dialsim run ${PROJECT_SOURCE_DIR}/fixtures/scenario-example.json)
add_test(NAME runner.cli_exit_codes
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_cli.sh ${DIALSIM_BIN} ${PROJECT_SOURCE_DIR}/scenarios
          ${CMAKE_CURRENT_SOURCE_DIR}/failing/expect-wrong-status.json)
# Call recordings (H-4): `dialsim check-recording` on files made by sox and
# espeak-ng in a temporary folder (nothing binary is committed).
add_test(NAME recording.check_cli
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_recording_cli.sh ${DIALSIM_BIN})
set_tests_properties(recording.check_cli PROPERTIES TIMEOUT 60)
# `dialsim conform trigger` in real time against a local HTTPS endpoint with
# good and broken behaviours and certificates (tests/conform_endpoint.c).
add_executable(conform_endpoint conform_endpoint.c)
target_link_libraries(conform_endpoint PRIVATE dialsim_conform dialsim_mocks civetweb::civetweb
  PkgConfig::JANSSON Threads::Threads)
add_test(NAME conform.trigger
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_conform_trigger.sh ${DIALSIM_BIN}
          $<TARGET_FILE:conform_endpoint> ${CMAKE_CURRENT_BINARY_DIR}/conform)
set_tests_properties(conform.trigger PROPERTIES TIMEOUT 60)
# `dialsim serve` in real time on loopback (port 0): every route against docs/openapi.json,
# kill -9 loses no acknowledged transcript, 1,000 posts over 20 connections, SIGTERM mid-request.
add_test(NAME serve.openapi COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_openapi.py ${DIALSIM_BIN} ${PROJECT_SOURCE_DIR}/docs/openapi.json)
add_test(NAME serve.crash COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_crash.py ${DIALSIM_BIN})
add_test(NAME serve.concurrency COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_concurrency.py ${DIALSIM_BIN})
add_test(NAME serve.sigterm COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_sigterm.py ${DIALSIM_BIN})
# projects, agents and evaluators survive kill -9; stored state wins over --config.
add_test(NAME serve.restart COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_restart.py ${DIALSIM_BIN})
# `dialsim conform transcripts` in real time: the listener on a free port, every
# fixtures/transcripts/ case posted by curl; answers, rule ids, warnings, exit codes, JUnit.
add_test(NAME conform.transcripts
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_conform_transcripts.sh ${DIALSIM_BIN}
          ${PROJECT_SOURCE_DIR}/fixtures/transcripts ${CMAKE_CURRENT_BINARY_DIR}/conform_transcripts)
set_tests_properties(conform.transcripts PROPERTIES TIMEOUT 60)
# dialsim repro: reports under fixtures/repro → verdicts, written scenarios, the catalogue's repro-*.
add_test(NAME repro.cli COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_repro.sh ${DIALSIM_BIN} ${PROJECT_SOURCE_DIR})
# dialsim explain: reasons, rule ids, runs as serve returns them (fixtures/explain).
add_test(NAME explain.cli COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_explain.sh ${DIALSIM_BIN} ${PROJECT_SOURCE_DIR})
# `dialsim serve` with "mocks": the provider mocks in real time for users' own suites.
add_test(NAME serve.connections COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_connections.py ${DIALSIM_BIN})
# provider webhooks to the user's own server (mocks.<provider>.webhooks.url): delivered,
# retried as the provider retries, journalled with status and answer, cut short by a stop.
add_test(NAME serve.webhooks_out COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_webhooks_out.py ${DIALSIM_BIN})
# the admin API of the mocks port (issue 13): journal filters, verify with near misses, wait,
# faults, accounts and outcomes at run time, reset; every route against a live serve.
add_test(NAME serve.admin COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_admin.py ${DIALSIM_BIN})
# the same routes against their OpenAPI description, docs/openapi-mocks.json (with an admin token)
add_test(NAME serve.admin_openapi COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_admin_openapi.py ${DIALSIM_BIN} ${PROJECT_SOURCE_DIR}/docs/openapi-mocks.json)
# docs/examples: the admin API's example suite (curl, and Node's fetch under node --test)
# against serve with --time-scale 0.01 and an admin token, as docs/mocks.md#admin shows it.
add_test(NAME serve.docs_examples COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_docs_examples.py ${DIALSIM_BIN} ${PROJECT_SOURCE_DIR}/docs)
add_test(NAME serve.mocks COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_mocks.py ${DIALSIM_BIN})
# batch calling (issue 12): the three providers' batch routes, and an agent's runs dialled from a batch.
add_test(NAME serve.batch COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_batch.py ${DIALSIM_BIN})
# what the mocks keep: the journal ring (--journal-size), ended calls evicted (--max-ended-calls).
add_test(NAME serve.mocks_limits COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_mocks_limits.py ${DIALSIM_BIN})
# runs survive a restart: ended ones as they ended, open ones failed serve_restarted.
add_test(NAME serve.runs_restart COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_runs_restart.py ${DIALSIM_BIN})
# runs beyond --max-final-runs leave memory and are read back from the file (GET /runs pages).
add_test(NAME serve.runs_bound COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_runs_bound.py ${DIALSIM_BIN})
# a full disk (RLIMIT_FSIZE on the live server): 500 "nothing was accepted", the server goes on, nothing acknowledged lost; space back, the refused post is stored.
add_test(NAME serve.disk_full COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_disk_full.py ${DIALSIM_BIN})
# No body can crash serve (issue 10): 100,000 levels of JSON on every body route of both
# ports, each refused with a 400 in its route's shape; the server answers the next request.
add_test(NAME serve.depth COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_depth.py ${DIALSIM_BIN})
# who may use serve: the admin token on management and /_dialsim/ routes, no bind beyond
# loopback without one, the Host check on loopback, secrets masked; a write the database
# refuses is not in effect (five writes wait out the store's 5 s lock timeout).
add_test(NAME serve.access COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_serve_access.py ${DIALSIM_BIN})
set_tests_properties(serve.access PROPERTIES TIMEOUT 120)
# The providers' official Node SDKs (tests/sdk: versions pinned by its package-lock.json,
# installed by .ci/install-deps) against serve's mocks, only the base URL changed (issue 11).
foreach(provider vapi retell elevenlabs)
  add_test(NAME sdk.${provider}
    COMMAND ${CMAKE_COMMAND} -E env DIALSIM_BIN=${DIALSIM_BIN}
            node --test ${CMAKE_CURRENT_SOURCE_DIR}/sdk/${provider}.test.mjs)
  set_tests_properties(sdk.${provider} PROPERTIES LABELS sdk TIMEOUT 120)
endforeach()
# Every command's arguments as GNU tools parse them (getopt_long): --help, --bogus,
# --opt=value, "--", options after operands.
add_test(NAME cli.getopt COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_getopt.sh ${DIALSIM_BIN} ${PROJECT_SOURCE_DIR})
# --format json on run, repro, explain and conform: valid against docs/output.schema.json.
add_test(NAME cli.json_output
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_json_output.py ${DIALSIM_BIN}
          ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/json_output)
# Colour and progress under pseudo-terminals (python3 pty): only on terminals, NO_COLOR honoured.
add_test(NAME cli.terminal
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_terminal.py ${DIALSIM_BIN} ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.terminal PROPERTIES TIMEOUT 120)
# run --report FILE.html in headless Chromium (Debian's chromium): the DOM after its script
# ran, the window band where the times put it, the filter, 1,000 scenarios, a screenshot.
add_test(NAME report.html
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_html_report.py ${DIALSIM_BIN}
          ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/html_report)
# Chromium and cpack load the machine: alone, so that the timing-sensitive serve tests
# running beside them keep their margins.
set_tests_properties(report.html PROPERTIES TIMEOUT 240 RUN_SERIAL TRUE)
# docs/ci.md's sharding: the shards of the catalogue are complete and disjoint for N = 1..8.
add_test(NAME cli.shards COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_shards.py ${DIALSIM_BIN} ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.shards PROPERTIES TIMEOUT 120)
# cmake --install, `version`'s commit, the .deb (dpkg-deb) unpacked into a throw-away root, `dialsim init`.
add_test(NAME install.deb COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_install.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
set_tests_properties(install.deb PROPERTIES TIMEOUT 180 RUN_SERIAL TRUE)
# Issue 12: the catalogue's schema checker against python3-jsonschema on the same cases,
# and every route of the three catalogues against a live `dialsim serve`.
add_test(NAME catalogue.schema_subset COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_schema_subset.py
  $<TARGET_FILE:schema_tool> ${PROJECT_SOURCE_DIR})
add_test(NAME serve.catalogue_walk COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_catalogue_walk.py
  ${DIALSIM_BIN} ${PROJECT_SOURCE_DIR})
set_tests_properties(catalogue.schema_subset serve.catalogue_walk PROPERTIES TIMEOUT 180)
