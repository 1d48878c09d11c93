# `sippay merchant`, included from this folder's CMakeLists.txt after the
# sippay executable is defined.
add_library(sippay_app_merchant STATIC merchant_command.cpp)
target_include_directories(sippay_app_merchant PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(sippay_app_merchant PUBLIC sippay_roles_merchant CLI11::CLI11 PRIVATE spdlog::spdlog)
target_link_libraries(sippay PRIVATE sippay_app_merchant)
