cmake_minimum_required(VERSION 3.25)
# cmake -DROOT=<dir with the modules> -P cmake/RunLayeringCheck.cmake: the
# layering check of CheckLayering.cmake on another tree (its test).
include(${CMAKE_CURRENT_LIST_DIR}/CheckLayering.cmake)
ccm_check_layering(${ROOT})
message(STATUS "layering respected in ${ROOT}")
