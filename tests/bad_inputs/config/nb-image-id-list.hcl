#! base: good
#! replace: image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
image_id = ["x"]
