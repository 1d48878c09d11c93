# `sippay customer`, included from this folder's CMakeLists.txt after the
# sippay executable is defined. sippay_roles_customer comes from src/roles.
add_library(sippay_app_customer STATIC customer_command.cpp)
target_include_directories(sippay_app_customer PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(sippay_app_customer PUBLIC sippay_roles_customer CLI11::CLI11 PRIVATE fmt::fmt)
target_link_libraries(sippay PRIVATE sippay_app_customer)
