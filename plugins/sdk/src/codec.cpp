#include "ccm/sdk/codec.hpp"
