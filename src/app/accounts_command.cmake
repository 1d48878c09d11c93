# `sippay accounts`, included from this folder's CMakeLists.txt after the
# sippay executable is defined.
add_library(sippay_app_accounts STATIC accounts_command.cpp pin_input.cpp)
target_include_directories(sippay_app_accounts PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(sippay_app_accounts PUBLIC sippay_ledger sippay_payment CLI11::CLI11)
target_link_libraries(sippay PRIVATE sippay_app_accounts)

if(SIPPAY_TESTS AND NOT SIPPAY_FUZZ)
  sippay_add_test(sippay_accounts_command_test SOURCES accounts_command_test.cpp LIBS sippay_app_accounts)
  target_compile_definitions(sippay_accounts_command_test PRIVATE SIPPAY_BINARY="$<TARGET_FILE:sippay>")
  add_dependencies(sippay_accounts_command_test sippay)
endif()
