# `sippay bench purchase`, included from this folder's CMakeLists.txt after
# the sippay executable and the demo and customer libraries are defined.
add_library(sippay_app_bench STATIC bench_crypto_floor.cpp bench_purchase_command.cpp bench_purchase_load.cpp)
target_include_directories(sippay_app_bench PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(sippay_app_bench PUBLIC CLI11::CLI11
                      PRIVATE sippay_app_demo sippay_roles_customer sippay_ledger sippay_security sippay_payment
                              nlohmann_json::nlohmann_json fmt::fmt spdlog::spdlog)
target_link_libraries(sippay PRIVATE sippay_app_bench)
if(SIPPAY_TESTS)
  sippay_add_test(sippay_bench_floor_test SOURCES bench_crypto_floor_test.cpp LIBS sippay_app_bench)
endif()
