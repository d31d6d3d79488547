"""Writes the tiny checkpoints of MolCheckpointTest with torch (run from this folder:
python3 make_tiny_checkpoints.py). The valid one has the key layout and layer types of the
official MOL code's state_dict (f.lam, f.dw.net.<l>.conv.weight/.bias, Conv2d 3x3 with bias,
ReLU between layers, none after the last) at 2 -> 4 -> 4 -> 2 channels; the network's output on a
fixed input is saved beside it as the reference the import must reproduce."""
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(7)
layers = [nn.Conv2d(2, 4, 3, padding=1, bias=True), nn.Conv2d(4, 4, 3, padding=1, bias=True),
          nn.Conv2d(4, 2, 3, padding=1, bias=True)]


def network(x):
    for i, conv in enumerate(layers):
        x = conv(x)
        if i < len(layers) - 1:
            x = torch.relu(x)
    return x


def state(lam=12.5):
    sd = OrderedDict()
    sd._metadata = OrderedDict([("", {"version": 1})])  # as Module.state_dict() pickles it
    sd["f.lam"] = torch.tensor(lam, dtype=torch.float32)
    for i, conv in enumerate(layers):
        sd["f.dw.net.%d.conv.weight" % i] = conv.weight.detach().clone()
        sd["f.dw.net.%d.conv.bias" % i] = conv.bias.detach().clone()
    return sd


torch.save({"state_dict": state()}, "tiny_mol.pth")
x = torch.randn(2, 2, 6, 5)
with torch.no_grad():
    y = network(x)
np.save("tiny_mol_input.npy", x.numpy().astype(np.float32))
np.save("tiny_mol_output.npy", y.numpy().astype(np.float32))

missing = state()
del missing["f.lam"]
torch.save({"state_dict": missing}, "tiny_mol_missing_lambda.pth")
wrong = state()
wrong["f.dw.net.1.conv.weight"] = torch.zeros(4, 3, 3, 3)
torch.save({"state_dict": wrong}, "tiny_mol_wrong_shape.pth")
torch.save({"state_dict": state()}, "tiny_mol_legacy.pth", _use_new_zipfile_serialization=False)
with open("not_a_checkpoint.pth", "w") as f:
    f.write("this is not a checkpoint\n")
