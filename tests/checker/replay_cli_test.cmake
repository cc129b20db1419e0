# rewind-run --json records an execution; rewind-check replay accepts it for the same
# handler and reports a divergence for a changed one.
file(MAKE_DIRECTORY ${OUT})
execute_process(COMMAND ${RUN} ${LIB} --handler idempotent_charge --skip-time --json
  OUTPUT_FILE ${OUT}/charge.json RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "rewind-run failed: ${rc}")
endif()
execute_process(COMMAND ${CHECK} replay ${LIB} --handler idempotent_charge --history ${OUT}/charge.json
  OUTPUT_VARIABLE same RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT same MATCHES "OK: the current code replays")
  message(FATAL_ERROR "replay of the same handler: ${rc}\n${same}")
endif()
execute_process(COMMAND ${CHECK} replay ${LIB} --handler closure_mutation --history ${OUT}/charge.json
  OUTPUT_VARIABLE changed RESULT_VARIABLE rc)
if(NOT rc EQUAL 1 OR NOT changed MATCHES "DIVERGENCE: NonDeterministicExecutionError")
  message(FATAL_ERROR "replay of a changed handler: ${rc}\n${changed}")
endif()
