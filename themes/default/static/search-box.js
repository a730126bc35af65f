// header box
